import { createConnection, type Socket } from "node:net";
import { connectSocket, type EnvdDialer } from "./dialer.js";
import { EnvdError } from "./errors.js";

const MAX_REPLY = 64;
const HANDSHAKE_TIMEOUT_MS = 5000;

/**
 * vsockUdsDialer reaches guest ports through Firecracker's hybrid vsock: connect to the VM's
 * `uds_path`, send `CONNECT <port>\n`, read `OK <hostport>\n`; the socket is then the raw stream.
 */
export function vsockUdsDialer(udsPath: string): EnvdDialer {
  return {
    connect: async (port, signal) => {
      const sock = await connectSocket(() => createConnection({ path: udsPath }), udsPath, signal);
      try {
        await handshake(sock, port, signal);
      } catch (err) {
        sock.destroy();
        throw err;
      }
      return sock;
    },
    close: async () => {},
  };
}

/**
 * handshake performs the CONNECT/OK exchange. Bytes that arrive after the OK line belong to the
 * stream and are pushed back with unshift, so nothing the guest sends early is lost.
 */
export function handshake(sock: Socket, port: number, signal?: AbortSignal): Promise<void> {
  if (!Number.isInteger(port) || port <= 0 || port > 0xffffffff) {
    return Promise.reject(new EnvdError("handshake_failed", `invalid vsock port ${port}`));
  }
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => fail("no OK reply within 5s"), HANDSHAKE_TIMEOUT_MS);
    const cleanup = () => {
      clearTimeout(timer);
      sock.off("readable", onReadable);
      sock.off("error", onError);
      sock.off("close", onClose);
      signal?.removeEventListener("abort", onAbort);
    };
    const fail = (why: string, cause?: unknown) => {
      cleanup();
      reject(new EnvdError("handshake_failed", `vsock CONNECT ${port}: ${why}`, { cause }));
    };
    const onError = (err: Error) => fail(err.message, err);
    const onClose = () => fail("connection closed (nothing listens on that guest port?)");
    const onAbort = () => {
      cleanup();
      reject(new EnvdError("aborted", `vsock CONNECT ${port}: aborted`));
    };
    // "readable" + read() instead of "data": once the listener is gone the socket is back in its
    // initial (non-flowing) mode, so the HTTP client that takes it over sees every byte.
    const onReadable = () => {
      for (let chunk = sock.read() as Buffer | null; chunk !== null; chunk = sock.read() as Buffer | null) {
        buf = Buffer.concat([buf, chunk]);
        const nl = buf.indexOf(0x0a);
        if (nl < 0) {
          if (buf.length > MAX_REPLY)
            return fail(`reply too long: ${JSON.stringify(buf.toString("latin1"))}`);
          continue;
        }
        const line = buf.subarray(0, nl).toString("latin1");
        if (!/^OK \d+$/.test(line)) return fail(`unexpected reply ${JSON.stringify(line)}`);
        cleanup();
        const rest = buf.subarray(nl + 1);
        if (rest.length > 0) sock.unshift(rest);
        return resolve();
      }
    };
    sock.on("readable", onReadable);
    sock.once("error", onError);
    sock.once("close", onClose);
    signal?.addEventListener("abort", onAbort, { once: true });
    sock.write(`CONNECT ${port}\n`);
  });
}
