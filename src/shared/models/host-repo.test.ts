import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Pool } from "../db/index.js";
import { type TestDatabase, useTestDatabase } from "../testing/index.js";
import {
  createTeam,
  getHost,
  getSandbox,
  heartbeatHost,
  hostCandidates,
  insertSandbox,
  markStaleHosts,
  registerHost,
  releaseCapacity,
  reserveCapacity,
  setHostState,
  transition,
} from "./index.js";

const NEED = { vcpus: 1, memMib: 512, diskMib: 1024 };

describe("host repository", () => {
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

  it("registers once and refreshes on re-registration, keeping a drain", async () => {
    const h = await registerHost(sql, {
      id: "h-reg",
      address: "10.0.0.1:50051",
      vcpus: 2,
      memMib: 2048,
      diskMib: 10_000,
      accelerator: "tcg",
      labels: { zone: "a" },
    });
    assert.equal(h.state, "healthy");
    assert.deepEqual(h.labels, { zone: "a" });
    await setHostState(sql, "h-reg", "draining");
    const again = await registerHost(sql, {
      id: "h-reg",
      address: "10.0.0.9:50051",
      vcpus: 4,
      memMib: 4096,
      diskMib: 1,
    });
    assert.equal(again.address, "10.0.0.9:50051");
    assert.equal(again.vcpus, 4);
    assert.equal(again.state, "draining");
    assert.equal(await heartbeatHost(sql, "h-unknown"), null);
  });

  it("marks silent hosts unhealthy, flags their live sandboxes, and a heartbeat heals both", async () => {
    await registerHost(sql, { id: "h-stale", address: "x", vcpus: 4, memMib: 4096, diskMib: 10_000 });
    await registerHost(sql, { id: "h-fresh", address: "y", vcpus: 4, memMib: 4096, diskMib: 10_000 });
    const live = await insertSandbox(sql, { teamId: team, template: "m", ...NEED, timeoutS: 60 });
    const dead = await insertSandbox(sql, { teamId: team, template: "m", ...NEED, timeoutS: 60 });
    await transition(sql, live.id, ["pending"], "starting", { hostId: "h-stale" });
    await transition(sql, dead.id, ["pending"], "starting", { hostId: "h-stale" });
    await transition(sql, dead.id, ["starting"], "stopped");
    await sql`UPDATE hosts SET last_heartbeat_at = now() - interval '2 minutes' WHERE id IN ('h-stale', 'h-reg')`;

    const stale = await markStaleHosts(sql, 30);
    assert.deepEqual(
      stale.hosts.map((h) => h.id),
      ["h-stale"],
      "draining hosts are left to the operator",
    );
    assert.equal(stale.hosts[0]?.state, "unhealthy");
    assert.deepEqual(stale.sandboxIds, [live.id]);
    const flagged = await getSandbox(sql, team, live.id);
    assert.equal(flagged?.state, "starting", "state is kept");
    assert.ok(flagged?.hostUnreachableAt);
    assert.deepEqual((await markStaleHosts(sql, 30)).hosts, [], "already unhealthy: reported once");

    const healed = await heartbeatHost(sql, "h-stale", { sandboxes: 1 });
    assert.equal(healed?.state, "healthy");
    assert.equal(healed?.sandboxes, 1);
    assert.equal((await getSandbox(sql, team, live.id))?.hostUnreachableAt, null);
  });

  it("offers the least-loaded healthy hosts with room, skipping unhealthy and draining ones", async () => {
    await sql`DELETE FROM sandboxes`;
    await sql`DELETE FROM hosts`;
    await registerHost(sql, { id: "big", address: "a", vcpus: 8, memMib: 16_384, diskMib: 1e6 });
    await registerHost(sql, { id: "mid", address: "b", vcpus: 8, memMib: 8192, diskMib: 1e6 });
    await registerHost(sql, { id: "tiny", address: "c", vcpus: 1, memMib: 256, diskMib: 1e6 });
    await registerHost(sql, { id: "drain", address: "d", vcpus: 64, memMib: 65_536, diskMib: 1e6 });
    await registerHost(sql, { id: "sick", address: "e", vcpus: 64, memMib: 65_536, diskMib: 1e6 });
    await setHostState(sql, "drain", "draining");
    await setHostState(sql, "sick", "unhealthy");
    assert.deepEqual(
      (await hostCandidates(sql, NEED)).map((h) => h.id),
      ["big", "mid"],
    );
    assert.ok(await reserveCapacity(sql, "big", { vcpus: 2, memMib: 12_288, diskMib: 0 }));
    assert.deepEqual(
      (await hostCandidates(sql, NEED)).map((h) => h.id),
      ["mid", "big"],
      "big now has less free memory",
    );
    assert.deepEqual(await hostCandidates(sql, { vcpus: 1, memMib: 10_000, diskMib: 0 }), []);
    assert.equal(await reserveCapacity(sql, "drain", NEED), false);
  });

  it("never overcommits a host under concurrent reservations, and releases to zero at most", async () => {
    await registerHost(sql, { id: "three", address: "z", vcpus: 3, memMib: 1536, diskMib: 1e6 });
    const results = await Promise.all(Array.from({ length: 10 }, () => reserveCapacity(sql, "three", NEED)));
    assert.equal(results.filter(Boolean).length, 3);
    const full = await getHost(sql, "three");
    assert.deepEqual([full?.usedVcpus, full?.usedMemMib], [3, 1536]);
    await releaseCapacity(sql, "three", { vcpus: 5, memMib: 9999, diskMib: 9999 });
    const empty = await getHost(sql, "three");
    assert.deepEqual([empty?.usedVcpus, empty?.usedMemMib, empty?.usedDiskMib], [0, 0, 0]);
  });
});
