import type { Db } from "../db/index.js";
import { dbCall } from "../db/index.js";
import { SANDBOX_COLUMNS, type Sandbox, type SandboxRow, toSandbox } from "./sandbox.js";

/** ExpiryReason says which policy fired: the hard timeout (end_at) or the idle timeout. */
export type ExpiryReason = "timeout" | "idle";

/** ExpiredSandbox is a running sandbox this replica has claimed to pause or destroy. */
export interface ExpiredSandbox {
  sandbox: Sandbox;
  reason: ExpiryReason;
}

/** ClaimOptions identifies the claimer and how long its claim keeps other replicas away. */
export interface ClaimOptions {
  /** owner names the claiming replica (for debugging stuck leases). */
  owner: string;
  /** leaseMs is how long the claim lasts if the claimer dies before acting (default 60 000). */
  leaseMs?: number;
}

/**
 * claimExpired picks up to `limit` running sandboxes past their end_at or idle deadline at `now` and
 * leases them to `owner`. The row locks (FOR UPDATE SKIP LOCKED) and the lease update happen in one
 * statement — one transaction — so concurrent replicas get disjoint rows and never wait on each other;
 * the lease (released by `transition`) keeps later scans away while the claimer pauses or destroys.
 */
export function claimExpired(
  sql: Db,
  now: Date,
  limit: number,
  opts: ClaimOptions,
): Promise<ExpiredSandbox[]> {
  const leaseMs = opts.leaseMs ?? 60_000;
  return dbCall(async () => {
    const rows = await sql<(SandboxRow & { reason: ExpiryReason })[]>`
      WITH due AS (
        SELECT id FROM sandboxes
        WHERE state = 'running'
          AND (end_at <= ${now}
            OR (idle_timeout_s IS NOT NULL AND last_activity_at + idle_timeout_s * interval '1 second' <= ${now}))
          AND (lease_until IS NULL OR lease_until <= ${now})
        ORDER BY end_at NULLS LAST, id
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE sandboxes AS s
      SET lease_owner = ${opts.owner}, lease_until = ${now}::timestamptz + ${leaseMs}::int * interval '1 ms'
      FROM due WHERE s.id = due.id
      RETURNING ${sql(SANDBOX_COLUMNS.map((c) => `s.${c}`))},
        CASE WHEN s.end_at <= ${now} THEN 'timeout' ELSE 'idle' END AS reason`;
    return rows.map((r) => ({ sandbox: toSandbox(r), reason: r.reason }));
  });
}
