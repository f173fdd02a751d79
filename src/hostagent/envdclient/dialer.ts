import { createConnection, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { EnvdError } from "./errors.js";

/**
 * EnvdDialer opens a byte stream to a TCP port inside one sandbox. The envd client runs HTTP over
 * whatever it returns, so TCP, a netns forwarder and Firecracker's hybrid vsock look alike to it.
 */
export interface EnvdDialer {
  connect(port: number, signal?: AbortSignal): Promise<Duplex>;
  /** close releases what the dialer holds (forwarder processes); streams already open stay usable. */
  close(): Promise<void>;
}

/** ENVD_PORT is envd's port in the guest (E2B-compatible). */
export const ENVD_PORT = 49983;

/**
 * tcpDialer dials host:port directly: for envd in debug mode on the host, or when the caller already
 * runs inside the sandbox's network namespace.
 */
export function tcpDialer(host: string): EnvdDialer {
  return {
    connect: (port, signal) =>
      connectSocket(() => createConnection({ host, port, noDelay: true }), `${host}:${port}`, signal),
    close: async () => {},
  };
}

/**
 * connectSocket waits until a freshly created socket connects, failing with "dial_failed" on error
 * and "aborted" when the signal fires first.
 */
export function connectSocket(make: () => Socket, what: string, signal?: AbortSignal): Promise<Socket> {
  if (signal?.aborted) return Promise.reject(new EnvdError("aborted", `dial ${what}: aborted`));
  return new Promise((resolve, reject) => {
    const sock = make();
    const onAbort = () => {
      sock.destroy();
      reject(new EnvdError("aborted", `dial ${what}: aborted`));
    };
    const done = () => {
      signal?.removeEventListener("abort", onAbort);
      sock.off("error", onError);
      sock.off("connect", onConnect);
    };
    const onError = (err: Error) => {
      done();
      reject(new EnvdError("dial_failed", `dial ${what}: ${err.message}`, { cause: err }));
    };
    const onConnect = () => {
      done();
      resolve(sock);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    sock.once("error", onError);
    sock.once("connect", onConnect);
  });
}
