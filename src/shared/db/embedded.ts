import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/** EmbeddedOptions configures the in-process Postgres used when no DATABASE_URL is configured. */
export interface EmbeddedOptions {
  /** dataDir keeps the database between runs; "memory://" keeps it in RAM only. */
  dataDir: string;
  /** maxConnections caps socket clients; it must be ≥ the pool size connecting to it (default 8). */
  maxConnections?: number;
}

/** EmbeddedPostgres is a running PGlite served on a loopback port. */
export interface EmbeddedPostgres {
  /** url is a postgres:// URL for postgres.js (127.0.0.1 and a free port). */
  readonly url: string;
  /** stop closes the listener and flushes PGlite to its data directory. */
  stop(): Promise<void>;
}

/**
 * startEmbedded runs PGlite (Postgres compiled to WASM) in this process and serves it over the
 * Postgres wire protocol with pglite-socket, so the same driver and SQL serve dev and production.
 * PGlite is one backend: the socket server queues queries and keeps an open transaction's
 * connection exclusive, so transactions serialize (correct, but no parallelism). Hence never await a
 * query on the pool from inside a transaction callback: in embedded mode that waits forever.
 */
export async function startEmbedded(opts: EmbeddedOptions): Promise<EmbeddedPostgres> {
  if (!opts.dataDir.startsWith("memory://")) await mkdir(opts.dataDir, { recursive: true });
  const db = await PGlite.create(opts.dataDir);
  const server = new PGLiteSocketServer({
    db,
    host: "127.0.0.1",
    port: 0,
    maxConnections: opts.maxConnections ?? 8,
  });
  try {
    await server.start();
  } catch (err) {
    await db.close();
    throw err;
  }
  let stopped = false;
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await db.close();
    },
  };
}
