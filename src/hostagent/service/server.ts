import { createServer as createH1Server, type IncomingMessage, type ServerResponse } from "node:http";
import {
  createServer as createH2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from "node:http2";
import { type AddressInfo, createServer as createNetServer, type Server, type Socket } from "node:net";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { HostAgent } from "../../shared/gen/hostagent/v1/hostagent_pb.js";
import type { SandboxManager } from "../lifecycle/types.js";
import { authInterceptor } from "./auth.js";
import type { CreateDefaults } from "./convert.js";
import { isProxyPath, proxyToEnvd } from "./proxy.js";
import { hostAgentService } from "./service.js";

/** HostAgentServerOptions configure the agent's one listening port. */
export interface HostAgentServerOptions {
  manager: SandboxManager;
  /** token is the shared secret every caller must present. */
  token: string;
  defaults: CreateDefaults;
}

const H2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n");

/**
 * createHostAgentServer serves Connect (gRPC, gRPC-Web, Connect; h2c or HTTP/1.1) and the envd
 * pass-through on one TCP port. Cleartext HTTP/2 has no ALPN, so the first bytes of each connection
 * pick the protocol: the HTTP/2 preface goes to the h2c server, anything else to HTTP/1.1.
 */
/** HostAgentServer is the listening agent; close() also cuts open streams so shutdown never hangs. */
export interface HostAgentServer {
  readonly server: Server;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

export function createHostAgentServer(opts: HostAgentServerOptions): HostAgentServer {
  if (opts.token.length < 16) throw new Error("host agent token must be at least 16 characters");
  const connect = connectNodeAdapter({
    routes: (router) => router.service(HostAgent, hostAgentService(opts.manager, opts.defaults)),
    interceptors: [authInterceptor(opts.token)],
  });
  const handle = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => {
    if (isProxyPath(req.url) && "socket" in req && !("stream" in req)) {
      proxyToEnvd(opts.manager, opts.token, req as IncomingMessage, res as ServerResponse);
      return;
    }
    connect(req, res);
  };
  const h1 = createH1Server({ keepAliveTimeout: 65_000 }, handle);
  const h2 = createH2Server({}, handle);
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.once("readable", () => {
      const head: Buffer | null = socket.read(H2_PREFACE.length) ?? socket.read();
      if (!head) return socket.destroy();
      socket.unshift(head);
      const target = head.length >= H2_PREFACE.length && head.equals(H2_PREFACE) ? h2 : h1;
      target.emit("connection", socket);
    });
  });
  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        h1.close();
        h2.close();
      }),
  };
}
