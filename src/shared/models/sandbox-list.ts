import type { Db } from "../db/index.js";
import { DbError, dbCall } from "../db/index.js";
import { SANDBOX_COLUMNS, type Sandbox, type SandboxRow, toSandbox } from "./sandbox.js";
import type { SandboxState } from "./sandbox-state.js";

/** ListFilter selects a team's sandboxes; every given criterion must hold. */
export interface ListFilter {
  /** states keeps sandboxes in any of these states (empty or absent: all). */
  states?: readonly SandboxState[];
  /** metadata keeps sandboxes whose metadata contains every key=value pair (jsonb @>, GIN-indexed). */
  metadata?: Record<string, string>;
  /** limit is the page size, clamped to 1–100 (default 50). */
  limit?: number;
  /** cursor is the opaque nextCursor of the previous page. */
  cursor?: string | null;
}

/** SandboxPage is one page, oldest first; nextCursor is null on the last page. */
export interface SandboxPage {
  items: Sandbox[];
  nextCursor: string | null;
}

interface Position {
  /** createdUs is created_at in microseconds since the epoch, as text (a JS Date would drop µs). */
  createdUs: string;
  id: string;
}

/** encodeCursor makes the opaque page token: base64url of "<created µs>.<id>". */
function encodeCursor(p: Position): string {
  return Buffer.from(`${p.createdUs}.${p.id}`).toString("base64url");
}

/** decodeCursor parses a token from a client; anything malformed is invalid_input (→ 400). */
function decodeCursor(cursor: string): Position {
  const m = /^(\d{1,20})\.([a-z0-9-]{1,64})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!m?.[1] || !m[2]) throw new DbError("invalid_input", "invalid pagination cursor");
  return { createdUs: m[1], id: m[2] };
}

/**
 * listSandboxes pages through a team's sandboxes ordered by (created_at, id) — keyset pagination on the
 * (team_id, created_at, id) index, so pages stay stable while rows are added. env is never selected.
 */
export async function listSandboxes(sql: Db, teamId: string, filter: ListFilter = {}): Promise<SandboxPage> {
  const limit = Math.min(100, Math.max(1, Math.trunc(filter.limit ?? 50)));
  const after = filter.cursor ? decodeCursor(filter.cursor) : null;
  const states = filter.states?.length ? [...filter.states] : null;
  const metadata = filter.metadata && Object.keys(filter.metadata).length ? filter.metadata : null;
  return dbCall(async () => {
    const rows = await sql<(SandboxRow & { created_us: string })[]>`
      SELECT ${sql(SANDBOX_COLUMNS)},
        (extract(epoch FROM created_at) * 1000000)::bigint::text AS created_us
      FROM sandboxes
      WHERE team_id = ${teamId}
        ${states ? sql`AND state = ANY(${states})` : sql``}
        ${metadata ? sql`AND metadata @> ${sql.json(metadata)}` : sql``}
        ${
          after
            ? sql`AND (created_at, id) >
                ('epoch'::timestamptz + ${after.createdUs}::bigint * interval '1 microsecond', ${after.id})`
            : sql``
        }
      ORDER BY created_at, id
      LIMIT ${limit + 1}`;
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(toSandbox),
      nextCursor:
        rows.length > limit && last ? encodeCursor({ createdUs: last.created_us, id: last.id }) : null,
    };
  });
}
