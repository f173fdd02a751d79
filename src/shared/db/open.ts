import { connectDb, type Pool } from "./connect.js";
import { startEmbedded } from "./embedded.js";
import { toDbError } from "./errors.js";

/** DatabaseConfig selects the database: a server URL, or the embedded PGlite when url is unset. */
export interface DatabaseConfig {
  /** url is DATABASE_URL; empty or undefined selects embedded mode. */
  url?: string | undefined;
  /** embeddedDataDir is where embedded mode keeps its files (default ".state/pglite"). */
  embeddedDataDir?: string;
  /** poolSize is the pool size for a server URL (default 10); embedded mode always uses 4. */
  poolSize?: number;
}

/** Database is an open pool plus how to release it; `embedded` tells dev tooling which mode it got. */
export interface Database {
  readonly sql: Pool;
  readonly embedded: boolean;
  /** close drains the pool and, in embedded mode, stops PGlite (flushing it to disk). */
  close(): Promise<void>;
}

/** EMBEDDED_POOL_SIZE: PGlite runs one query at a time, so a small pool only hides queueing latency. */
const EMBEDDED_POOL_SIZE = 4;

/** DEFAULT_EMBEDDED_DIR is the embedded data directory, relative to the working directory. */
export const DEFAULT_EMBEDDED_DIR = ".state/pglite";

/**
 * openDatabase connects to `config.url`, or — when it is unset — starts PGlite on a loopback port and
 * connects to that, so callers never branch on the mode. The pool is checked with one query, so a
 * wrong URL fails here rather than on the first request.
 */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.url) {
    const sql = connectDb(config.url, { max: config.poolSize ?? 10 });
    try {
      await sql`SELECT 1`;
    } catch (err) {
      await sql.end({ timeout: 0 });
      throw toDbError(err);
    }
    return { sql, embedded: false, close: () => sql.end({ timeout: 5 }) };
  }
  const pg = await startEmbedded({ dataDir: config.embeddedDataDir ?? DEFAULT_EMBEDDED_DIR });
  const sql = connectDb(pg.url, { max: EMBEDDED_POOL_SIZE, idleTimeoutS: 0 });
  return {
    sql,
    embedded: true,
    async close() {
      await sql.end({ timeout: 5 });
      await pg.stop();
    },
  };
}
