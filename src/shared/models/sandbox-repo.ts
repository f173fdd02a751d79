import type { Db } from "../db/index.js";
import { dbCall, toDbError } from "../db/index.js";
import { newSandboxId } from "../id/index.js";
import { type OnTimeout, SANDBOX_COLUMNS, type Sandbox, type SandboxRow, toSandbox } from "./sandbox.js";
import { canTransition, InvalidTransitionError, type SandboxState } from "./sandbox-state.js";

/** NewSandbox is what a create request decides; the row starts in `pending` with no host. */
export interface NewSandbox {
  teamId: string;
  template: string;
  vcpus: number;
  memMib: number;
  diskMib: number;
  timeoutS: number;
  idleTimeoutS?: number | null;
  onTimeout?: OnTimeout;
  metadata?: Record<string, string>;
  env?: Record<string, string>;
  envdAccessToken?: string | null;
  /** id fixes the id (tests, imports); by default a fresh sb-xxxxxxxx is drawn, retried on collision. */
  id?: string;
}

const ID_ATTEMPTS = 5;

/** insertSandbox stores a new pending sandbox and returns it. An unknown team is invalid_reference. */
export async function insertSandbox(sql: Db, s: NewSandbox): Promise<Sandbox> {
  for (let attempt = 1; ; attempt++) {
    const id = s.id ?? newSandboxId();
    try {
      const [row] = await sql<SandboxRow[]>`
        INSERT INTO sandboxes (id, team_id, template, vcpus, mem_mib, disk_mib, timeout_s, idle_timeout_s,
          on_timeout, metadata, env, envd_access_token)
        VALUES (${id}, ${s.teamId}, ${s.template}, ${s.vcpus}, ${s.memMib}, ${s.diskMib}, ${s.timeoutS},
          ${s.idleTimeoutS ?? null}, ${s.onTimeout ?? "destroy"}, ${sql.json(s.metadata ?? {})},
          ${sql.json(s.env ?? {})}, ${s.envdAccessToken ?? null})
        RETURNING ${sql(SANDBOX_COLUMNS)}`;
      if (!row) throw new Error("INSERT … RETURNING gave no row");
      return toSandbox(row);
    } catch (err) {
      const e = toDbError(err);
      if (s.id === undefined && e.constraint === "sandboxes_pkey" && attempt < ID_ATTEMPTS) continue;
      throw e;
    }
  }
}

/** getSandbox returns the team's sandbox, or null when it does not exist or belongs to another team. */
export function getSandbox(sql: Db, teamId: string, id: string): Promise<Sandbox | null> {
  return dbCall(async () => {
    const [row] = await sql<SandboxRow[]>`
      SELECT ${sql(SANDBOX_COLUMNS)} FROM sandboxes WHERE id = ${id} AND team_id = ${teamId}`;
    return row ? toSandbox(row) : null;
  });
}

/** getSandboxEnv returns the env vars given at create (kept out of Sandbox because they may be secret). */
export function getSandboxEnv(sql: Db, teamId: string, id: string): Promise<Record<string, string> | null> {
  return dbCall(async () => {
    const [row] = await sql<{ env: Record<string, string> }[]>`
      SELECT env FROM sandboxes WHERE id = ${id} AND team_id = ${teamId}`;
    return row ? row.env : null;
  });
}

/**
 * touchActivity records use of a running sandbox for the idle timeout. It writes at most once per
 * `minIntervalS` (default 5) so a busy sandbox does not turn every exec into a row update.
 */
export function touchActivity(sql: Db, id: string, minIntervalS = 5): Promise<boolean> {
  return dbCall(async () => {
    const rows = await sql`
      UPDATE sandboxes SET last_activity_at = now()
      WHERE id = ${id} AND state = 'running'
        AND last_activity_at < now() - ${minIntervalS}::int * interval '1 second'
      RETURNING id`;
    return rows.length > 0;
  });
}

/** setSandboxTimeout sets a new timeout counted from now (E2B's setTimeout) on a running or paused sandbox. */
export function setSandboxTimeout(
  sql: Db,
  teamId: string,
  id: string,
  timeoutS: number,
): Promise<Sandbox | null> {
  return dbCall(async () => {
    const [row] = await sql<SandboxRow[]>`
      UPDATE sandboxes SET timeout_s = ${timeoutS}, end_at = now() + ${timeoutS}::int * interval '1 second'
      WHERE id = ${id} AND team_id = ${teamId} AND state IN ('running', 'paused')
      RETURNING ${sql(SANDBOX_COLUMNS)}`;
    return row ? toSandbox(row) : null;
  });
}

/** TransitionFields are the columns a transition may set along with the state. */
export interface TransitionFields {
  hostId?: string | null;
  /** error is required when moving to `error`: the reason users and operators see. */
  error?: string | null;
  snapshotLocation?: string | null;
  envdAccessToken?: string | null;
  /** endAt overrides the default "now + timeout_s" when entering `running`. */
  endAt?: Date | null;
}

/** TransitionScope narrows a transition to one team (API calls); internal callers leave it empty. */
export interface TransitionScope {
  teamId?: string;
}

/**
 * transition moves sandbox `id` to `to` only if its current state is one of `from`, in a single
 * `UPDATE … WHERE state = ANY(from)`, so of two replicas acting at once exactly one wins. It returns the
 * updated sandbox, or null when no row matched (unknown id, other team, or wrong state → 409/404).
 * Timestamps follow the target: running sets started_at (first time), last_activity_at and end_at;
 * paused sets paused_at; stopped and error set stopped_at. Any lifecycle lease is released.
 */
export async function transition(
  sql: Db,
  id: string,
  from: readonly SandboxState[],
  to: SandboxState,
  fields: TransitionFields = {},
  scope: TransitionScope = {},
): Promise<Sandbox | null> {
  for (const f of from) if (!canTransition(f, to)) throw new InvalidTransitionError(f, to);
  if (to === "error" && !fields.error) throw new TypeError("transition to error needs fields.error");
  const set: Record<string, unknown> = { state: to, lease_owner: null, lease_until: null };
  if (to === "running") {
    set.started_at = sql`coalesce(started_at, now())`;
    set.last_activity_at = sql`now()`;
    set.end_at = fields.endAt ?? sql`now() + timeout_s * interval '1 second'`;
    set.error = null;
  }
  if (to === "paused") set.paused_at = sql`now()`;
  if (to === "stopped" || to === "error") set.stopped_at = sql`coalesce(stopped_at, now())`;
  if (fields.hostId !== undefined) set.host_id = fields.hostId;
  if (fields.error !== undefined) set.error = fields.error;
  if (fields.snapshotLocation !== undefined) set.snapshot_location = fields.snapshotLocation;
  if (fields.envdAccessToken !== undefined) set.envd_access_token = fields.envdAccessToken;
  if (fields.endAt !== undefined && to !== "running") set.end_at = fields.endAt;
  return dbCall(async () => {
    const [row] = await sql<SandboxRow[]>`
      UPDATE sandboxes SET ${sql(set as Record<string, never>)}
      WHERE id = ${id} AND state = ANY(${from as SandboxState[]})
        ${scope.teamId === undefined ? sql`` : sql`AND team_id = ${scope.teamId}`}
      RETURNING ${sql(SANDBOX_COLUMNS)}`;
    return row ? toSandbox(row) : null;
  });
}
