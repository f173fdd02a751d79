import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { Filesystem } from "../../shared/gen/envd/filesystem/filesystem_pb.js";
import { Process } from "../../shared/gen/envd/process/process_pb.js";
import { DialerAgent } from "./agent.js";
import { ENVD_PORT, type EnvdDialer } from "./dialer.js";
import { collect, type ExecHandle, type ExecOptions, type ExecResult, startExec } from "./exec.js";
import { download, type FileEntry, type FileOptions, upload } from "./files.js";
import { envs, health, type InitRequest, init, type WaitHealthyOptions, waitHealthy } from "./health.js";
import type { RestContext } from "./rest.js";

/** EnvdClientOptions configures a client for one sandbox's envd. */
export interface EnvdClientOptions {
  dialer: EnvdDialer;
  /** port is envd's guest port (default 49983). */
  port?: number;
  /** accessToken is sent as X-Access-Token; init() with a new token replaces it. */
  accessToken?: string;
  /** user is the default guest user for RPCs (Authorization: Basic); unset lets envd pick. */
  user?: string;
}

/** EnvdClient talks to one envd over a dialer: Connect services, exec, files, health and /init. */
export interface EnvdClient {
  readonly process: Client<typeof Process>;
  readonly filesystem: Client<typeof Filesystem>;
  health(signal?: AbortSignal): Promise<void>;
  waitHealthy(opts: WaitHealthyOptions): Promise<void>;
  init(body: InitRequest, signal?: AbortSignal): Promise<string>;
  envs(signal?: AbortSignal): Promise<Record<string, string>>;
  exec(cmd: string, opts?: ExecOptions): ExecHandle;
  run(cmd: string, opts?: Omit<ExecOptions, "stdin">): Promise<ExecResult>;
  upload(path: string, source: Readable | Uint8Array | string, opts?: FileOptions): Promise<FileEntry[]>;
  download(path: string, opts?: FileOptions): Promise<IncomingMessage>;
  /** close drops pooled connections. The dialer stays open: it belongs to the caller (a VM driver closes its own). */
  close(): Promise<void>;
}

/**
 * createEnvdClient builds the client: one keep-alive HTTP/1.1 agent over the dialer carries both the
 * Connect protocol (binary) and the plain REST endpoints, since envd serves HTTP/1.1 in the guest.
 */
export function createEnvdClient(opts: EnvdClientOptions): EnvdClient {
  const agent = new DialerAgent(opts.dialer, opts.port ?? ENVD_PORT);
  let token = opts.accessToken;
  const headers = (user = opts.user): Record<string, string> => {
    const h: Record<string, string> = {};
    if (token) h["x-access-token"] = token;
    if (user) h.authorization = `Basic ${Buffer.from(`${user}:`).toString("base64")}`;
    return h;
  };
  const transport = createConnectTransport({
    baseUrl: "http://envd",
    httpVersion: "1.1",
    useBinaryFormat: true,
    nodeOptions: { agent },
    interceptors: [
      (next) => (req) => {
        for (const [k, v] of Object.entries(headers())) if (!req.header.has(k)) req.header.set(k, v);
        return next(req);
      },
    ],
  });
  const rest: RestContext = { agent, headers: () => headers() };
  const process = createClient(Process, transport);
  return {
    process,
    filesystem: createClient(Filesystem, transport),
    health: (signal) => health(rest, signal),
    waitHealthy: (o) => waitHealthy(rest, o),
    init: async (body, signal) => {
      const v = await init(rest, body, signal);
      if (body.accessToken !== undefined) token = body.accessToken;
      return v;
    },
    envs: (signal) => envs(rest, signal),
    exec: (cmd, o) => startExec(process, headers, cmd, o),
    run: (cmd, o) => collect(startExec(process, headers, cmd, o)),
    upload: (path, source, o) => upload(rest, path, source, o),
    download: (path, o) => download(rest, path, o),
    close: async () => {
      agent.destroy();
    },
  };
}

/** waitForEnvd waits until envd behind `dialer` is healthy with a throwaway client (a VM readiness probe). */
export async function waitForEnvd(
  dialer: EnvdDialer,
  opts: WaitHealthyOptions & { port?: number },
): Promise<void> {
  const c = createEnvdClient({ dialer, port: opts.port });
  try {
    await c.waitHealthy(opts);
  } finally {
    await c.close();
  }
}
