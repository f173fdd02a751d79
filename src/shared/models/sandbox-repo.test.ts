import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connectDb, type Pool } from "../db/index.js";
import { type TestDatabase, useTestDatabase } from "../testing/index.js";
import {
  createTeam,
  getSandbox,
  getSandboxEnv,
  InvalidTransitionError,
  insertSandbox,
  type NewSandbox,
  registerHost,
  setSandboxTimeout,
  touchActivity,
  transition,
} from "./index.js";

const SMALL = { template: "minimal", vcpus: 1, memMib: 256, diskMib: 1024, timeoutS: 300 };

describe("sandbox repository", () => {
  let db: TestDatabase;
  let sql: Pool;
  let teamA: string;
  let teamB: string;
  const make = (over: Partial<NewSandbox> = {}) => insertSandbox(sql, { teamId: teamA, ...SMALL, ...over });

  before(async () => {
    db = await useTestDatabase();
    sql = db.sql;
    teamA = (await createTeam(sql, { name: "a" })).id;
    teamB = (await createTeam(sql, { name: "b" })).id;
    await registerHost(sql, {
      id: "host-1",
      address: "127.0.0.1:50051",
      vcpus: 4,
      memMib: 8192,
      diskMib: 1e5,
    });
  });
  after(async () => {
    await db?.close();
  });

  it("inserts a pending sandbox with defaults and returns it without env", async () => {
    const sb = await make({ metadata: { owner: "ci" }, env: { SECRET: "s3cr3t" } });
    assert.match(sb.id, /^sb-[0-9a-f]{8}$/);
    assert.equal(sb.state, "pending");
    assert.equal(sb.onTimeout, "destroy");
    assert.deepEqual(sb.metadata, { owner: "ci" });
    assert.equal("env" in sb, false);
    assert.deepEqual(await getSandboxEnv(sql, teamA, sb.id), { SECRET: "s3cr3t" });
  });

  it("hides another team's sandbox (get and env are null)", async () => {
    const sb = await make();
    assert.equal((await getSandbox(sql, teamA, sb.id))?.id, sb.id);
    assert.equal(await getSandbox(sql, teamB, sb.id), null);
    assert.equal(await getSandboxEnv(sql, teamB, sb.id), null);
    assert.equal(await getSandbox(sql, teamA, "sb-00000000"), null);
  });

  it("rejects an unknown team (invalid_reference) and a duplicate fixed id (conflict)", async () => {
    await assert.rejects(insertSandbox(sql, { teamId: "tm-nope", ...SMALL }), { code: "invalid_reference" });
    const sb = await make();
    await assert.rejects(make({ id: sb.id }), { name: "DbError", code: "conflict" });
  });

  it("walks the lifecycle, setting timestamps per target state", async () => {
    const sb = await make({ timeoutS: 60 });
    const starting = await transition(sql, sb.id, ["pending"], "starting", { hostId: "host-1" });
    assert.equal(starting?.hostId, "host-1");
    const running = await transition(sql, sb.id, ["starting"], "running", { envdAccessToken: "tok" });
    assert.ok(running?.startedAt && running.endAt);
    assert.equal(running.envdAccessToken, "tok");
    const ms = running.endAt.getTime() - running.startedAt.getTime();
    assert.ok(Math.abs(ms - 60_000) < 1000, `end_at is start + timeout (${ms} ms)`);
    const paused = await transition(sql, sb.id, ["running"], "paused", { snapshotLocation: "/snap/1" });
    assert.ok(paused?.pausedAt);
    assert.equal(paused.snapshotLocation, "/snap/1");
    const resumed = await transition(sql, sb.id, ["paused"], "running");
    assert.equal(
      resumed?.startedAt?.getTime(),
      running.startedAt.getTime(),
      "started_at keeps the first start",
    );
    const failed = await transition(sql, sb.id, ["running"], "error", { error: "vmm crashed" });
    assert.equal(failed?.error, "vmm crashed");
    const stopped = await transition(sql, sb.id, ["error"], "stopped");
    assert.ok(stopped?.stoppedAt);
  });

  it("returns null for the wrong state, the wrong team or an unknown id", async () => {
    const sb = await make();
    assert.equal(await transition(sql, sb.id, ["running"], "paused"), null);
    assert.equal(await transition(sql, sb.id, ["pending"], "starting", {}, { teamId: teamB }), null);
    assert.equal(await transition(sql, "sb-ffffffff", ["pending"], "starting"), null);
    assert.equal((await getSandbox(sql, teamA, sb.id))?.state, "pending");
    assert.equal(
      (await transition(sql, sb.id, ["pending"], "starting", {}, { teamId: teamA }))?.state,
      "starting",
    );
  });

  it("refuses edges the state machine lacks before touching the database", async () => {
    const sb = await make();
    await assert.rejects(transition(sql, sb.id, ["stopped"], "running"), InvalidTransitionError);
    await assert.rejects(transition(sql, sb.id, ["running"], "error"), /fields\.error/);
  });

  it("lets exactly one of many concurrent transitions win", async () => {
    const pools = [sql, connectDb(db.url, { max: 4 }), connectDb(db.url, { max: 4 })];
    try {
      for (let round = 0; round < 10; round++) {
        const sb = await make();
        await transition(sql, sb.id, ["pending"], "starting");
        await transition(sql, sb.id, ["starting"], "running");
        const results = await Promise.all(
          pools.flatMap((p) => [
            transition(p, sb.id, ["running"], "paused"),
            transition(p, sb.id, ["running"], "stopped"),
          ]),
        );
        const winners = results.filter((r) => r !== null);
        assert.equal(winners.length, 1, `round ${round}`);
        assert.equal((await getSandbox(sql, teamA, sb.id))?.state, winners[0]?.state);
      }
    } finally {
      await Promise.all(pools.slice(1).map((p) => p.end()));
    }
  });

  it("touchActivity writes only for running sandboxes and at most once per interval", async () => {
    const sb = await make();
    assert.equal(await touchActivity(sql, sb.id), false, "pending: not tracked");
    await transition(sql, sb.id, ["pending"], "starting");
    await transition(sql, sb.id, ["starting"], "running");
    assert.equal(await touchActivity(sql, sb.id), false, "just started: within the interval");
    await sql`UPDATE sandboxes SET last_activity_at = now() - interval '1 minute' WHERE id = ${sb.id}`;
    assert.equal(await touchActivity(sql, sb.id), true);
    assert.equal(await touchActivity(sql, sb.id), false);
  });

  it("setSandboxTimeout restarts the clock for the owning team only", async () => {
    const sb = await make();
    assert.equal(await setSandboxTimeout(sql, teamA, sb.id, 30), null, "pending has no clock yet");
    await transition(sql, sb.id, ["pending"], "starting");
    await transition(sql, sb.id, ["starting"], "running");
    assert.equal(await setSandboxTimeout(sql, teamB, sb.id, 30), null);
    const updated = await setSandboxTimeout(sql, teamA, sb.id, 30);
    assert.equal(updated?.timeoutS, 30);
    const left = (updated?.endAt?.getTime() ?? 0) - Date.now();
    assert.ok(left > 25_000 && left < 35_000, `${left} ms left`);
  });
});
