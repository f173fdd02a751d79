import postgres from "postgres";

/**
 * Db is the handle every repository takes: a postgres.js pool, or a transaction opened from it
 * (`sql.begin(tx => …)`), so the same function works inside and outside a transaction.
 */
export type Db = postgres.ISql;

/** Pool is the connection pool itself: what opens transactions (`begin`), reserves and ends. */
export type Pool = postgres.Sql;

/** Tx is the handle inside `sql.begin`; it is a Db too, but some helpers only make sense inside one. */
export type Tx = postgres.TransactionSql;

/** ConnectOptions tunes the pool; the defaults suit one control-plane replica. */
export interface ConnectOptions {
  /** max is the pool size (default 10). */
  max?: number;
  /** connectTimeoutS bounds one connection attempt, so a dead server fails fast (default 5). */
  connectTimeoutS?: number;
  /** idleTimeoutS closes idle pooled connections (default 30). */
  idleTimeoutS?: number;
  /** applicationName shows in pg_stat_activity (default "wrenn"). */
  applicationName?: string;
}

/**
 * connectDb opens a lazy connection pool to `url` (nothing is dialled until the first query).
 * Notices are dropped: migrations raise harmless ones and the driver would print them to stdout.
 */
export function connectDb(url: string, opts: ConnectOptions = {}): Pool {
  return postgres(url, {
    max: opts.max ?? 10,
    connect_timeout: opts.connectTimeoutS ?? 5,
    idle_timeout: opts.idleTimeoutS ?? 30,
    onnotice: () => {},
    connection: { application_name: opts.applicationName ?? "wrenn" },
  });
}
