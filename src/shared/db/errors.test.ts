import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { freePort, type TestDatabase, useTestDatabase } from "../testing/index.js";
import { connectDb, DbError, toDbError } from "./index.js";

/** failure runs a query that must fail and returns what the funnel made of the driver's error. */
async function failure(p: PromiseLike<unknown>): Promise<DbError> {
  try {
    await p;
  } catch (err) {
    return toDbError(err);
  }
  assert.fail("query succeeded");
}

describe("toDbError on real Postgres errors", () => {
  let db: TestDatabase;
  before(async () => {
    db = await useTestDatabase();
    await db.sql`INSERT INTO teams (id, name) VALUES ('tm-a', 'a')`;
  });
  after(async () => {
    await db?.close();
  });

  it("unique violation → conflict, with the constraint name", async () => {
    const e = await failure(db.sql`INSERT INTO teams (id, name) VALUES ('tm-a', 'again')`);
    assert.equal(e.code, "conflict");
    assert.equal(e.sqlState, "23505");
    assert.equal(e.constraint, "teams_pkey");
    assert.equal((e.cause as { code?: string }).code, "23505");
  });

  it("foreign key violation → invalid_reference", async () => {
    const e = await failure(
      db.sql`INSERT INTO api_keys (id, team_id, prefix, hash, name)
        VALUES ('k', 'tm-missing', '00000000', ${"0".repeat(64)}, 'x')`,
    );
    assert.equal(e.code, "invalid_reference");
  });

  it("check violation and bad data → invalid_input", async () => {
    const e = await failure(
      db.sql`INSERT INTO hosts (id, address, vcpus, mem_mib, disk_mib, state) VALUES ('h', 'x', 1, 1, 1, 'bogus')`,
    );
    assert.equal(e.code, "invalid_input");
    assert.equal((await failure(db.sql`SELECT 'x'::int`)).code, "invalid_input");
  });

  it("serialization failure and deadlock → retryable", async () => {
    for (const state of ["40001", "40P01"]) {
      const e = await failure(
        db.sql.unsafe(`DO $$ BEGIN RAISE EXCEPTION 'boom' USING ERRCODE = '${state}'; END $$`),
      );
      assert.equal(e.code, "retryable", state);
    }
  });

  it("a terminated connection → unavailable", async () => {
    const victim = connectDb(db.url, { max: 1 });
    try {
      const [row] = await victim<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
      const p = failure(victim`SELECT pg_sleep(5)`);
      await new Promise((r) => setTimeout(r, 100));
      await db.sql`SELECT pg_terminate_backend(${row?.pid ?? 0})`;
      assert.equal((await p).code, "unavailable");
    } finally {
      await victim.end({ timeout: 1 });
    }
  });

  it("connection refused → unavailable", async () => {
    const port = await freePort();
    const dead = connectDb(`postgres://postgres@127.0.0.1:${port}/postgres`, { connectTimeoutS: 2 });
    try {
      const e = await failure(dead`SELECT 1`);
      assert.equal(e.code, "unavailable");
      assert.match(e.message, /database unavailable/);
    } finally {
      await dead.end({ timeout: 0 });
    }
  });

  it("passes DbError through and wraps anything else as internal", () => {
    const own = new DbError("conflict", "x");
    assert.equal(toDbError(own), own);
    assert.equal(toDbError(new Error("weird")).code, "internal");
    assert.equal(toDbError("string").code, "internal");
  });
});
