import type { Db } from "../db/index.js";
import { dbCall } from "../db/index.js";

/** BillingEvent is a usage event waiting in the outbox for the billing sender (Lago). */
export interface BillingEvent {
  id: string;
  teamId: string;
  event: string;
  payload: Record<string, unknown>;
  createdAt: Date;
}

/**
 * enqueueBilling adds a usage event to the outbox. Write it in the same transaction as the state change
 * it bills for, so an event is neither lost nor invented when either side fails.
 */
export function enqueueBilling(
  sql: Db,
  e: { teamId: string; event: string; payload?: Record<string, unknown> },
): Promise<void> {
  return dbCall(async () => {
    await sql`
      INSERT INTO billing_outbox (team_id, event, payload)
      VALUES (${e.teamId}, ${e.event}, ${sql.json((e.payload ?? {}) as Parameters<typeof sql.json>[0])})`;
  });
}

/** pendingBilling returns up to `limit` unsent events, oldest first. */
export function pendingBilling(sql: Db, limit = 100): Promise<BillingEvent[]> {
  return dbCall(async () => {
    const rows = await sql<
      { id: string; team_id: string; event: string; payload: Record<string, unknown>; created_at: Date }[]
    >`SELECT id, team_id, event, payload, created_at FROM billing_outbox WHERE sent_at IS NULL ORDER BY id
      LIMIT ${limit}`;
    return rows.map((r) => ({
      id: r.id,
      teamId: r.team_id,
      event: r.event,
      payload: r.payload,
      createdAt: r.created_at,
    }));
  });
}

/** markBillingSent records delivery of the given outbox ids. */
export function markBillingSent(sql: Db, ids: readonly string[]): Promise<void> {
  return dbCall(async () => {
    await sql`UPDATE billing_outbox SET sent_at = now() WHERE id = ANY(${[...ids]}::bigint[]) AND sent_at IS NULL`;
  });
}
