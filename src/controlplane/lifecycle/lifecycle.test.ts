import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  createTeam,
  getHost,
  getSandbox,
  insertSandbox,
  registerHost,
  reserveCapacity,
  transition,
} from "../../shared/models/index.js";
import { freePort, type TestDatabase, useTestDatabase } from "../../shared/testing/index.js";
import { createAgentClients } from "../hosts/index.js";
import { createLeastLoaded } from "../scheduler/index.js";
import { createLifecycleLoop, reapStuckCreates } from "./index.js";

describe("lifecycle loop (real Postgres)", () => {
  let db: TestDatabase;
  before(async () => {
    db = await useTestDatabase();
  });
  after(() => db.close());

  it("auto-destroys expired sandboxes exactly once across replicas, and audits it", async () => {
    const team = await createTeam(db.sql, { name: "t" });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const sb = await insertSandbox(db.sql, {
        teamId: team.id,
        template: "minimal",
        vcpus: 1,
        memMib: 256,
        diskMib: 512,
        timeoutS: 60,
      });
      await transition(db.sql, sb.id, ["pending"], "starting");
      await transition(db.sql, sb.id, ["starting"], "running", { endAt: new Date(Date.now() - 1000) });
      ids.push(sb.id);
    }
    const deps = {
      sql: db.sql,
      scheduler: createLeastLoaded(db.sql),
      clients: createAgentClients("x".repeat(16)),
      defaults: { vcpus: 1, memMib: 256, diskMib: 512 },
    };
    const replicas = ["r1", "r2", "r3"].map((owner) =>
      createLifecycleLoop(deps, { intervalMs: 60_000, owner }),
    );
    const acted = await Promise.all(replicas.map((r) => r.runOnce()));
    assert.equal(
      acted.reduce((a, b) => a + b, 0),
      5,
    );
    for (const id of ids) assert.equal((await getSandbox(db.sql, team.id, id))?.state, "stopped");
    const events = await db.sql<{ action: string; actor: string }[]>`
      SELECT action, actor FROM audit_events WHERE action = 'sandbox.auto_destroy'`;
    assert.equal(events.length, 5);
    assert.ok(events.every((e) => e.actor === "system:lifecycle"));
    assert.equal(await replicas[0]?.runOnce(), 0);
  });
});

describe("abandoned creates (real Postgres)", () => {
  let db: TestDatabase;
  before(async () => {
    db = await useTestDatabase();
  });
  after(() => db.close());

  it("moves creates stuck in starting to error and gives their reservation back", async () => {
    const team = await createTeam(db.sql, { name: "t" });
    await registerHost(db.sql, {
      id: "h-1",
      address: `127.0.0.1:${await freePort()}`,
      vcpus: 4,
      memMib: 4096,
      diskMib: 8192,
    });
    assert.ok(await reserveCapacity(db.sql, "h-1", { vcpus: 1, memMib: 256, diskMib: 512 }));
    const sb = await insertSandbox(db.sql, {
      teamId: team.id,
      template: "minimal",
      vcpus: 1,
      memMib: 256,
      diskMib: 512,
      timeoutS: 60,
    });
    await transition(db.sql, sb.id, ["pending"], "starting", { hostId: "h-1" });
    const fresh = await insertSandbox(db.sql, {
      teamId: team.id,
      template: "minimal",
      vcpus: 1,
      memMib: 256,
      diskMib: 512,
      timeoutS: 60,
    });
    await db.sql`UPDATE sandboxes SET created_at = now() - interval '1 hour' WHERE id = ${sb.id}`;
    const deps = {
      sql: db.sql,
      scheduler: createLeastLoaded(db.sql),
      clients: createAgentClients("x".repeat(16)),
      defaults: { vcpus: 1, memMib: 256, diskMib: 512 },
    };
    assert.equal(await reapStuckCreates(deps, 600), 1);
    const row = await getSandbox(db.sql, team.id, sb.id);
    assert.equal(row?.state, "error");
    assert.match(row?.error ?? "", /did not finish/);
    assert.equal(
      (await getSandbox(db.sql, team.id, fresh.id))?.state,
      "pending",
      "a recent create is left alone",
    );
    assert.equal((await getHost(db.sql, "h-1"))?.usedMemMib, 0);
    assert.equal(await reapStuckCreates(deps, 600), 0);
  });
});
