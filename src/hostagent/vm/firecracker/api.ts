import { request } from "node:http";
import type * as T from "./types.js";

/** FirecrackerApiError is a non-2xx API reply; `fault` is Firecracker's fault_message. */
export class FirecrackerApiError extends Error {
  override readonly name = "FirecrackerApiError";
  readonly status: number;
  readonly fault: string;
  constructor(status: number, fault: string, what: string) {
    super(`${what}: HTTP ${status}: ${fault}`);
    this.status = status;
    this.fault = fault;
  }
}

/**
 * FirecrackerApi is a thin typed client of Firecracker's REST API (HTTP/1.1 over its unix socket),
 * one method per endpoint the drivers use. Errors carry the fault_message verbatim.
 */
export class FirecrackerApi {
  readonly socketPath: string;
  readonly #timeoutMs: number;

  constructor(socketPath: string, opts: { timeoutMs?: number } = {}) {
    this.socketPath = socketPath;
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
  }

  putMachineConfig = (b: T.MachineConfig) => this.call("PUT", "/machine-config", b);
  putBootSource = (b: T.BootSource) => this.call("PUT", "/boot-source", b);
  putDrive = (b: T.Drive) => this.call("PUT", `/drives/${encodeURIComponent(b.drive_id)}`, b);
  putNetworkInterface = (b: T.NetworkInterface) =>
    this.call("PUT", `/network-interfaces/${encodeURIComponent(b.iface_id)}`, b);
  putVsock = (b: T.Vsock) => this.call("PUT", "/vsock", b);
  putLogger = (b: T.Logger) => this.call("PUT", "/logger", b);
  putMetrics = (b: T.Metrics) => this.call("PUT", "/metrics", b);
  action = (b: T.InstanceAction) => this.call("PUT", "/actions", b);
  patchVm = (b: T.VmStateChange) => this.call("PATCH", "/vm", b);
  createSnapshot = (b: T.SnapshotCreate, timeoutMs?: number) =>
    this.call("PUT", "/snapshot/create", b, timeoutMs);
  loadSnapshot = (b: T.SnapshotLoad, timeoutMs?: number) => this.call("PUT", "/snapshot/load", b, timeoutMs);

  /** describe is GET /: instance id, state and Firecracker version. */
  async describe(): Promise<T.InstanceInfo> {
    return JSON.parse(await this.call("GET", "/")) as T.InstanceInfo;
  }

  /** call sends one request and returns the reply body; non-2xx replies throw FirecrackerApiError. */
  call(
    method: "GET" | "PUT" | "PATCH",
    path: string,
    body?: unknown,
    timeoutMs = this.#timeoutMs,
  ): Promise<string> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const what = `${method} ${path}`;
    return new Promise((resolve, reject) => {
      const req = request(
        {
          socketPath: this.socketPath,
          method,
          path,
          host: "localhost",
          headers: {
            accept: "application/json",
            ...(payload
              ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
              : {}),
          },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) return resolve(text);
            let fault = text;
            try {
              fault = (JSON.parse(text) as { fault_message?: string }).fault_message ?? text;
            } catch {
              // not JSON: keep the raw text
            }
            reject(new FirecrackerApiError(status, fault, what));
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${what}: no reply in ${timeoutMs} ms`)));
      req.on("error", reject);
      req.end(payload);
    });
  }
}
