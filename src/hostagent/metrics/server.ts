import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

/** MetricsServerOptions choose the registry and where `/metrics` listens (port 0: any free port). */
export interface MetricsServerOptions {
  registry: Registry;
  port: number;
  /** host defaults to 127.0.0.1; set the agent's scrape address (e.g. 0.0.0.0) in config. */
  host?: string;
}

/** MetricsServer is a listening `/metrics` endpoint; close() drops keep-alive scrapers too. */
export interface MetricsServer {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * startMetricsServer serves the registry's text exposition on GET/HEAD `/metrics` and 404
 * elsewhere, on its own port so scrapes never share the agent's RPC listener or auth.
 */
export async function startMetricsServer(o: MetricsServerOptions): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("method not allowed\n");
      return;
    }
    o.registry.metrics().then(
      (text) =>
        res
          .writeHead(200, { "content-type": o.registry.contentType })
          .end(req.method === "HEAD" ? undefined : text),
      (err: unknown) =>
        res.writeHead(500, { "content-type": "text/plain" }).end(`scrape failed: ${String(err)}\n`),
    );
  });
  const host = o.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
