import type { Db } from "../../shared/db/index.js";
import { dbCall } from "../../shared/db/index.js";
import { newKeyId } from "../../shared/id/index.js";
import { displayKey, generateApiKey, hashesEqual, hashSecret, parseApiKey } from "./api-key.js";

/** ApiKeyRecord is a stored key as admins see it: never the secret, never its hash. */
export interface ApiKeyRecord {
  id: string;
  teamId: string;
  name: string;
  /** display is `wrn_<8 hex>…`, enough to recognise a key in a list. */
  display: string;
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** KeyIdentity is what a valid key grants a request. */
export interface KeyIdentity {
  teamId: string;
  keyId: string;
  scopes: string[];
}

interface KeyRow {
  id: string;
  team_id: string;
  prefix: string;
  hash: string;
  name: string;
  scopes: string[];
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const toRecord = (r: KeyRow): ApiKeyRecord => ({
  id: r.id,
  teamId: r.team_id,
  name: r.name,
  display: displayKey(r.prefix),
  scopes: r.scopes,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

/** NewKey describes a key to create; `key` registers a given secret instead of drawing one (bootstrap). */
export interface NewKey {
  teamId: string;
  name: string;
  scopes?: string[];
  key?: string;
}

/**
 * createKey stores a key's hash and returns the key itself exactly once — it cannot be recovered later.
 * A given key that is already registered is a conflict (DbError "conflict").
 */
export async function createKey(sql: Db, k: NewKey): Promise<{ key: string; record: ApiKeyRecord }> {
  const key = k.key ?? generateApiKey();
  const parsed = parseApiKey(key);
  if (!parsed) throw new TypeError("an API key must be wrn_ (or e2b_) followed by 32–64 lowercase hex");
  return dbCall(async () => {
    const [row] = await sql<KeyRow[]>`
      INSERT INTO api_keys (id, team_id, prefix, hash, name, scopes)
      VALUES (${newKeyId()}, ${k.teamId}, ${parsed.lookup}, ${hashSecret(parsed.secret)}, ${k.name},
        ${k.scopes ?? ["*"]})
      RETURNING *`;
    if (!row) throw new Error("INSERT … RETURNING gave no row");
    return { key, record: toRecord(row) };
  });
}

/** VerifyOptions tunes how often last_used_at is written. */
export interface VerifyOptions {
  /** touchIntervalMs: last_used_at is written at most this often per key (default 60 000). */
  touchIntervalMs?: number;
}

/**
 * verifyKey checks a presented key (either prefix) and returns whom it identifies, or null when it is
 * malformed, unknown or revoked. The row is found by its clear 8-hex prefix and the hash compared in
 * constant time. last_used_at is written only when older than the interval, and the conditional UPDATE
 * keeps that true across replicas, so a busy key costs one read per request, not one write.
 */
export async function verifyKey(
  sql: Db,
  presented: string,
  opts: VerifyOptions = {},
): Promise<KeyIdentity | null> {
  const parsed = parseApiKey(presented);
  if (!parsed) return null;
  const hash = hashSecret(parsed.secret);
  const touchMs = opts.touchIntervalMs ?? 60_000;
  return dbCall(async () => {
    const rows = await sql<KeyRow[]>`SELECT * FROM api_keys WHERE prefix = ${parsed.lookup}`;
    let match: KeyRow | undefined;
    for (const r of rows) if (hashesEqual(r.hash, hash)) match = r;
    if (!match || match.revoked_at) return null;
    if (!match.last_used_at || Date.now() - match.last_used_at.getTime() >= touchMs) {
      await sql`
        UPDATE api_keys SET last_used_at = now()
        WHERE id = ${match.id}
          AND (last_used_at IS NULL OR last_used_at <= now() - ${touchMs}::int * interval '1 ms')`;
    }
    return { teamId: match.team_id, keyId: match.id, scopes: match.scopes };
  });
}

/** revokeKey disables a team's key immediately; false when it is unknown, another team's or already revoked. */
export function revokeKey(sql: Db, teamId: string, keyId: string): Promise<boolean> {
  return dbCall(async () => {
    const rows = await sql`
      UPDATE api_keys SET revoked_at = now()
      WHERE id = ${keyId} AND team_id = ${teamId} AND revoked_at IS NULL
      RETURNING id`;
    return rows.length > 0;
  });
}

/** listKeys returns a team's keys (revoked ones included), oldest first. */
export function listKeys(sql: Db, teamId: string): Promise<ApiKeyRecord[]> {
  return dbCall(async () => {
    const rows = await sql<
      KeyRow[]
    >`SELECT * FROM api_keys WHERE team_id = ${teamId} ORDER BY created_at, id`;
    return rows.map(toRecord);
  });
}
