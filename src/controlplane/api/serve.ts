import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import { webSocketOf } from "./app.js";
import type { ApiEnv } from "./deps.js";

/** ApiServer is a listening API; close() stops accepting, ends WebSockets and waits for the server. */
export interface ApiServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * serveApi listens on hostname:port (port 0 picks a free one) with the app's WebSocket adapter attached,
 * resolving once the socket is bound.
 */
export function serveApi(app: Hono<ApiEnv>, opts: { port: number; hostname?: string }): Promise<ApiServer> {
  const ws = webSocketOf(app);
  const hostname = opts.hostname ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: opts.port, hostname }, (info: AddressInfo) => {
      const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
      resolve({
        port: info.port,
        url: `http://${host}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            for (const client of ws.wss.clients) client.terminate();
            server.close(() => done());
            if ("closeAllConnections" in server) server.closeAllConnections();
          }),
      });
    });
    server.once("error", reject);
    ws.injectWebSocket(server);
  });
}
