import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Db, Pool } from "../db/index.js";
import { type TestDatabase, useTestDatabase } from "../testing/index.js";
import {
  createTeam,
  insertSandbox,
  type ListFilter,
  listSandboxes,
  type Sandbox,
  transition,
} from "./index.js";

const SMALL = { template: "minimal", vcpus: 1, memMib: 256, diskMib: 1024, timeoutS: 300 };

async function all(sql: Db, teamId: string, filter: ListFilter): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = filter.cursor ?? null;
  let pages = 0;
  do {
    const page = await listSandboxes(sql, teamId, { ...filter, cursor });
    ids.push(...page.items.map((s) => s.id));
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  return { ids, pages };
}

describe("listSandboxes", () => {
  let db: TestDatabase;
  let sql: Pool;
  let teamA: string;
  let teamB: string;
  const created: Sandbox[] = [];

  before(async () => {
    db = await useTestDatabase();
    sql = db.sql;
    teamA = (await createTeam(sql, { name: "a" })).id;
    teamB = (await createTeam(sql, { name: "b" })).id;
    // 12 rows share one created_at (one transaction → one now()), so ties are broken by id.
    await sql.begin(async (tx) => {
      for (let i = 0; i < 12; i++) {
        created.push(
          await insertSandbox(tx, { teamId: teamA, ...SMALL, metadata: { batch: "tx", n: String(i) } }),
        );
      }
    });
    for (let i = 0; i < 13; i++) {
      const env = i % 2 === 0 ? "prod" : "dev";
      created.push(await insertSandbox(sql, { teamId: teamA, ...SMALL, metadata: { env, n: String(i) } }));
    }
    await insertSandbox(sql, { teamId: teamB, ...SMALL, metadata: { env: "prod" } });
  });
  after(async () => {
    await db?.close();
  });

  it("pages through everything in (created_at, id) order without gaps or repeats", async () => {
    const { ids, pages } = await all(sql, teamA, { limit: 4 });
    assert.equal(pages, 7);
    // Compare with Postgres' own order: created_at has µs precision, which a JS Date would lose.
    const expected = await sql<{ id: string }[]>`
      SELECT id FROM sandboxes WHERE team_id = ${teamA} ORDER BY created_at, id`;
    assert.deepEqual(
      ids,
      expected.map((r) => r.id),
    );
    assert.equal(ids.length, created.length);
  });

  it("stays stable when rows are added between pages", async () => {
    const first = await listSandboxes(sql, teamA, { limit: 10 });
    const late = await insertSandbox(sql, { teamId: teamA, ...SMALL, metadata: { late: "yes" } });
    const rest = await all(sql, teamA, { limit: 10, cursor: first.nextCursor });
    const ids = [...first.items.map((s) => s.id), ...rest.ids];
    assert.equal(new Set(ids).size, ids.length, "no repeats");
    assert.equal(ids.at(-1), late.id, "the new row comes last");
    assert.equal(ids.length, created.length + 1);
    await transition(sql, late.id, ["pending"], "stopped");
  });

  it("never shows another team's sandboxes", async () => {
    const { ids } = await all(sql, teamB, { limit: 100 });
    assert.equal(ids.length, 1);
    assert.ok(!created.some((s) => s.id === ids[0]));
  });

  it("filters by metadata pairs (all must match) and by state", async () => {
    assert.equal((await all(sql, teamA, { metadata: { env: "prod" } })).ids.length, 7);
    assert.equal((await all(sql, teamA, { metadata: { env: "dev", n: "3" } })).ids.length, 1);
    assert.equal((await all(sql, teamA, { metadata: { env: "staging" } })).ids.length, 0);
    assert.equal((await all(sql, teamA, { states: ["stopped"] })).ids.length, 1);
    const pending = await all(sql, teamA, {
      states: ["pending", "running"],
      metadata: { batch: "tx" },
      limit: 5,
    });
    assert.equal(pending.ids.length, 12);
  });

  it("clamps the limit to 1–100 and rejects a forged cursor", async () => {
    assert.equal((await listSandboxes(sql, teamA, { limit: 0 })).items.length, 1);
    assert.equal((await listSandboxes(sql, teamA, { limit: 1000 })).items.length, created.length + 1);
    await assert.rejects(listSandboxes(sql, teamA, { cursor: "bm90LWEtY3Vyc29y" }), {
      name: "DbError",
      code: "invalid_input",
    });
  });

  it("never returns env", async () => {
    const page = await listSandboxes(sql, teamA, { limit: 3 });
    for (const s of page.items) assert.equal("env" in s, false);
  });
});
