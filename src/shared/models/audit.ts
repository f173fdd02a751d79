import type { Db } from "../db/index.js";
import { dbCall } from "../db/index.js";

/** AuditRecord is one thing someone did: actor is "key:<id>", "system:lifecycle", "admin:<name>"… */
export interface AuditRecord {
  teamId: string | null;
  actor: string;
  /** action is a dotted verb such as "sandbox.create", "sandbox.exec", "key.revoke". */
  action: string;
  /** target is the object acted on (a sandbox or key id). */
  target?: string | null;
  /** data holds details; never put secrets (keys, env values, file contents) in it. */
  data?: Record<string, unknown>;
}

/** AuditEvent is a stored AuditRecord. id is a bigint, kept as a decimal string. */
export interface AuditEvent {
  id: string;
  teamId: string | null;
  actor: string;
  action: string;
  target: string | null;
  data: Record<string, unknown>;
  at: Date;
}

interface AuditRow {
  id: string;
  team_id: string | null;
  actor: string;
  action: string;
  target: string | null;
  data: Record<string, unknown>;
  at: Date;
}

/** recordAudit appends an event. Pass the transaction handle to make it commit with the change it logs. */
export function recordAudit(sql: Db, r: AuditRecord): Promise<void> {
  return dbCall(async () => {
    await sql`
      INSERT INTO audit_events (team_id, actor, action, target, data)
      VALUES (${r.teamId}, ${r.actor}, ${r.action}, ${r.target ?? null},
        ${sql.json((r.data ?? {}) as Parameters<typeof sql.json>[0])})`;
  });
}

/** listAudit returns a team's most recent events, newest first (at most `limit`, capped at 500). */
export function listAudit(sql: Db, teamId: string, limit = 100): Promise<AuditEvent[]> {
  return dbCall(async () => {
    const rows = await sql<AuditRow[]>`
      SELECT * FROM audit_events WHERE team_id = ${teamId}
      ORDER BY at DESC, id DESC LIMIT ${Math.min(500, Math.max(1, limit))}`;
    return rows.map((r) => ({
      id: r.id,
      teamId: r.team_id,
      actor: r.actor,
      action: r.action,
      target: r.target,
      data: r.data,
      at: r.at,
    }));
  });
}
