import type { Pool, Tx } from "./connect.js";
import { toDbError } from "./errors.js";

/** TransactionOptions: isolation level and how often a retryable failure is run again. */
export interface TransactionOptions {
  isolation?: "read committed" | "repeatable read" | "serializable";
  /** attempts is the total number of tries for serialization failures and deadlocks (default 3). */
  attempts?: number;
}

/**
 * withTransaction runs `fn` in a transaction and retries it when Postgres reports a serialization
 * failure or deadlock (DbError "retryable"), so callers need not. `fn` may run more than once: keep
 * side effects outside the database (RPCs to host agents) out of it. Failures come out as DbError.
 */
export async function withTransaction<T>(
  pool: Pool,
  fn: (tx: Tx) => Promise<T>,
  opts: TransactionOptions = {},
): Promise<T> {
  const attempts = Math.max(1, opts.attempts ?? 3);
  const mode = `isolation level ${opts.isolation ?? "read committed"}`;
  for (let attempt = 1; ; attempt++) {
    try {
      return (await pool.begin(mode, fn)) as T;
    } catch (err) {
      if (err instanceof TypeError || err instanceof RangeError) throw err;
      const e = toDbError(err);
      if (e.code !== "retryable" || attempt >= attempts) throw e;
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 10));
    }
  }
}
