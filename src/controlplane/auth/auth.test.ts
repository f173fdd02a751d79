import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Pool } from "../../shared/db/index.js";
import { createTeam } from "../../shared/models/index.js";
import { type TestDatabase, useTestDatabase } from "../../shared/testing/index.js";
import {
  createKey,
  DEFAULT_TEAM,
  ensureBootstrapKey,
  generateApiKey,
  listKeys,
  parseApiKey,
  redactHeaders,
  redactKeys,
  revokeKey,
  verifyKey,
} from "./index.js";

describe("api key format", () => {
  it("generates wrn_ + 32 lowercase hex, unique each time", () => {
    const keys = new Set(Array.from({ length: 100 }, generateApiKey));
    assert.equal(keys.size, 100);
    for (const k of keys) assert.match(k, /^wrn_[0-9a-f]{32}$/);
  });

  it("parses both prefixes to the same secret and rejects anything else", () => {
    const k = generateApiKey();
    const e2b = k.replace(/^wrn_/, "e2b_");
    assert.deepEqual(parseApiKey(k), parseApiKey(e2b));
    assert.equal(parseApiKey(k)?.lookup, k.slice(4, 12));
    for (const bad of ["", "wrn_", "wrn_XYZ", k.toUpperCase(), `xyz_${k.slice(4)}`, `${k.slice(0, 20)}`]) {
      assert.equal(parseApiKey(bad), null, bad);
    }
  });

  it("redacts keys in text and credential headers", () => {
    const k = generateApiKey();
    const line = redactKeys(`auth failed for ${k} and e2b_${k.slice(4)}`);
    assert.ok(!line.includes(k.slice(12)), line);
    assert.match(line, new RegExp(`wrn_${k.slice(4, 12)}…\\[redacted\\]`));
    assert.match(line, /e2b_[0-9a-f]{8}…\[redacted\]/);
    assert.deepEqual(redactHeaders({ "X-API-Key": k, accept: "application/json", "user-agent": k }), {
      "X-API-Key": "[redacted]",
      accept: "application/json",
      "user-agent": `wrn_${k.slice(4, 12)}…[redacted]`,
    });
  });
});

describe("key store", () => {
  let db: TestDatabase;
  let sql: Pool;
  let team: string;

  before(async () => {
    db = await useTestDatabase();
    sql = db.sql;
    team = (await createTeam(sql, { name: "t" })).id;
  });
  after(async () => {
    await db?.close();
  });

  it("creates a key shown once, stored only as a hash, and verifies it in both forms", async () => {
    const { key, record } = await createKey(sql, { teamId: team, name: "ci", scopes: ["sandboxes"] });
    assert.match(key, /^wrn_[0-9a-f]{32}$/);
    assert.equal(record.display, `${key.slice(0, 12)}…`);
    assert.equal(JSON.stringify(record).includes(key.slice(12)), false, "record never carries the secret");
    const [row] = await sql<
      { hash: string; prefix: string }[]
    >`SELECT hash, prefix FROM api_keys WHERE id = ${record.id}`;
    assert.equal(row?.prefix, key.slice(4, 12));
    assert.notEqual(row?.hash, key.slice(4));
    const id = { teamId: team, keyId: record.id, scopes: ["sandboxes"] };
    assert.deepEqual(await verifyKey(sql, key), id);
    assert.deepEqual(await verifyKey(sql, key.replace("wrn_", "e2b_")), id);
  });

  it("rejects malformed, unknown and prefix-colliding keys", async () => {
    const { key } = await createKey(sql, { teamId: team, name: "x" });
    assert.equal(await verifyKey(sql, "nope"), null);
    assert.equal(await verifyKey(sql, generateApiKey()), null);
    const sameLookup = `${key.slice(0, 12)}${"0".repeat(24)}`;
    assert.equal(await verifyKey(sql, sameLookup), null, "same 8-hex prefix, different secret");
  });

  it("revokes a team's own key only, after which it no longer verifies", async () => {
    const other = (await createTeam(sql, { name: "other" })).id;
    const { key, record } = await createKey(sql, { teamId: team, name: "temp" });
    assert.equal(await revokeKey(sql, other, record.id), false);
    assert.ok(await verifyKey(sql, key));
    assert.equal(await revokeKey(sql, team, record.id), true);
    assert.equal(await revokeKey(sql, team, record.id), false, "already revoked");
    assert.equal(await verifyKey(sql, key), null);
    const listed = (await listKeys(sql, team)).find((k) => k.id === record.id);
    assert.ok(listed?.revokedAt);
  });

  it("writes last_used_at at most once per interval", async () => {
    const { key, record } = await createKey(sql, { teamId: team, name: "busy" });
    const lastUsed = async () =>
      (await sql<{ t: Date | null }[]>`SELECT last_used_at AS t FROM api_keys WHERE id = ${record.id}`)[0]?.t;
    assert.equal(await lastUsed(), null);
    await verifyKey(sql, key);
    const first = await lastUsed();
    assert.ok(first);
    for (let i = 0; i < 5; i++) await verifyKey(sql, key);
    assert.equal((await lastUsed())?.getTime(), first.getTime(), "no write within the minute");
    await sql`UPDATE api_keys SET last_used_at = now() - interval '61 seconds' WHERE id = ${record.id}`;
    const aged = await lastUsed();
    await verifyKey(sql, key);
    assert.ok(((await lastUsed())?.getTime() ?? 0) > (aged?.getTime() ?? 0), "written again after a minute");
  });

  it("many concurrent verifications of a stale key write last_used_at once", async () => {
    // A trigger in this throwaway database counts the real row updates.
    await sql`CREATE TABLE key_writes (key_id text)`;
    await sql.unsafe(`
      CREATE FUNCTION log_key_write() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN INSERT INTO key_writes VALUES (NEW.id); RETURN NEW; END $$;
      CREATE TRIGGER key_writes AFTER UPDATE ON api_keys FOR EACH ROW EXECUTE FUNCTION log_key_write();`);
    const { key, record } = await createKey(sql, { teamId: team, name: "burst" });
    await sql`UPDATE api_keys SET last_used_at = now() - interval '1 hour' WHERE id = ${record.id}`;
    await sql`DELETE FROM key_writes`;
    await Promise.all(Array.from({ length: 20 }, () => verifyKey(sql, key)));
    const [row] = await sql<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM key_writes WHERE key_id = ${record.id}`;
    assert.equal(row?.n, 1);
  });
});

describe("bootstrap key", () => {
  let db: TestDatabase;
  let sql: Pool;

  before(async () => {
    db = await useTestDatabase();
    sql = db.sql;
  });
  after(async () => {
    await db?.close();
  });

  it("registers a given WRENN_API_KEY exactly once for the default team", async () => {
    const given = generateApiKey();
    const first = await ensureBootstrapKey(sql, given);
    assert.deepEqual([first.teamId, first.key, first.created], [DEFAULT_TEAM.id, given, true]);
    const again = await ensureBootstrapKey(sql, given);
    assert.deepEqual([again.keyId, again.created], [first.keyId, false]);
    assert.deepEqual(await verifyKey(sql, given), {
      teamId: DEFAULT_TEAM.id,
      keyId: first.keyId,
      scopes: ["*"],
    });
    assert.equal((await listKeys(sql, DEFAULT_TEAM.id)).length, 1);
    await assert.rejects(ensureBootstrapKey(sql, "wrn_short"), /WRENN_API_KEY/);
  });

  it("creates a key only when the default team has none active, under concurrency", async () => {
    await sql`DELETE FROM api_keys`;
    const results = await Promise.all([1, 2, 3].map(() => ensureBootstrapKey(sql)));
    const made = results.filter((r) => r.created);
    assert.equal(made.length, 1);
    assert.match(made[0]?.key ?? "", /^wrn_[0-9a-f]{32}$/);
    assert.ok(results.filter((r) => !r.created).every((r) => r.key === null && r.keyId === made[0]?.keyId));
    assert.ok(await verifyKey(sql, made[0]?.key ?? ""));
  });

  it("refuses a revoked WRENN_API_KEY instead of silently re-enabling it", async () => {
    const given = generateApiKey();
    const r = await ensureBootstrapKey(sql, given);
    await revokeKey(sql, r.teamId, r.keyId);
    await assert.rejects(ensureBootstrapKey(sql, given), /revoked/);
  });
});
