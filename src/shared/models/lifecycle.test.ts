import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connectDb, type Db, type Pool } from "../db/index.js";
import { type TestDatabase, useTestDatabase } from "../testing/index.js";
import { claimExpired, createTeam, insertSandbox, transition } from "./index.js";

const SMALL = { template: "minimal", vcpus: 1, memMib: 256, diskMib: 1024, timeoutS: 300 };

/** running inserts `n` running sandboxes whose end_at lies `endInS` seconds from now. */
async function running(sql: Db, teamId: string, n: number, endInS: number, idleTimeoutS?: number) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const sb = await insertSandbox(sql, { teamId, ...SMALL, idleTimeoutS: idleTimeoutS ?? null });
    await transition(sql, sb.id, ["pending"], "starting");
    await transition(sql, sb.id, ["starting"], "running", { endAt: new Date(Date.now() + endInS * 1000) });
    ids.push(sb.id);
  }
  return ids;
}

describe("claimExpired", () => {
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

  it("claims only due sandboxes, says why, and leases them", async () => {
    const due = await running(sql, team, 3, -10);
    await running(sql, team, 2, 3600);
    const [idle] = await running(sql, team, 1, 3600, 60);
    await sql`UPDATE sandboxes SET last_activity_at = now() - interval '2 minutes' WHERE id = ${idle ?? ""}`;
    const now = new Date();
    const claimed = await claimExpired(sql, now, 10, { owner: "r1" });
    assert.deepEqual(claimed.map((c) => c.sandbox.id).sort(), [...due, idle].sort());
    assert.equal(claimed.find((c) => c.sandbox.id === idle)?.reason, "idle");
    assert.ok(claimed.filter((c) => c.sandbox.id !== idle).every((c) => c.reason === "timeout"));
    assert.deepEqual(await claimExpired(sql, now, 10, { owner: "r2" }), [], "leased rows are skipped");
    const later = new Date(now.getTime() + 61_000);
    assert.equal(
      (await claimExpired(sql, later, 10, { owner: "r2" })).length,
      4,
      "an expired lease is reclaimable",
    );
    for (const c of claimed) await transition(sql, c.sandbox.id, ["running"], "stopped");
    assert.deepEqual(await claimExpired(sql, later, 10, { owner: "r3" }), []);
  });

  it("gives two concurrent claimers disjoint rows, without waiting on each other's locks", async () => {
    const due = await running(sql, team, 12, -5);
    const other = connectDb(db.url, { max: 2 });
    try {
      const now = new Date();
      // r1 holds its row locks in an open transaction while r2 claims: SKIP LOCKED must pass them by.
      let r2: string[] = [];
      const r1 = await sql.begin(async (tx) => {
        const mine = await claimExpired(tx, now, 5, { owner: "r1" });
        r2 = (await claimExpired(other, now, 100, { owner: "r2" })).map((c) => c.sandbox.id);
        return mine.map((c) => c.sandbox.id);
      });
      assert.equal(r1.length, 5);
      assert.equal(r2.length, 7);
      assert.equal(new Set([...r1, ...r2]).size, 12);
      assert.deepEqual([...r1, ...r2].sort(), [...due].sort());
      for (const id of due) await transition(sql, id, ["running"], "stopped");
    } finally {
      await other.end();
    }
  });

  it("spreads rows across many racing claimers without duplicates", async () => {
    const due = await running(sql, team, 30, -5);
    const pools = [sql, connectDb(db.url, { max: 3 }), connectDb(db.url, { max: 3 })];
    try {
      const now = new Date();
      const batches = await Promise.all(
        pools.flatMap((p, i) => [0, 1, 2].map((j) => claimExpired(p, now, 4, { owner: `r${i}.${j}` }))),
      );
      const got = batches.flat().map((c) => c.sandbox.id);
      assert.equal(new Set(got).size, got.length, "no sandbox claimed twice");
      const rest = await claimExpired(sql, now, 100, { owner: "sweeper" });
      assert.deepEqual([...got, ...rest.map((c) => c.sandbox.id)].sort(), [...due].sort());
    } finally {
      await Promise.all(pools.slice(1).map((p) => p.end()));
    }
  });
});
