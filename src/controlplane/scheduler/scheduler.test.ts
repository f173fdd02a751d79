import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { getHost, registerHost, setHostState } from "../../shared/models/index.js";
import { type TestDatabase, useTestDatabase } from "../../shared/testing/index.js";
import { ApiError } from "../errors.js";
import { createLeastLoaded, createSingleHost } from "./index.js";

const need = { vcpus: 1, memMib: 512, diskMib: 1024 };
const host = (id: string, memMib: number, vcpus = 4) => ({
  id,
  address: `${id}:1`,
  vcpus,
  memMib,
  diskMib: 10_000,
});

describe("scheduler (real Postgres)", () => {
  let db: TestDatabase;
  before(async () => {
    db = await useTestDatabase();
  });
  after(() => db.close());
  beforeEach(async () => {
    await db.sql`DELETE FROM hosts`;
  });

  it("least-loaded picks the host with the most free memory and reserves there", async () => {
    await registerHost(db.sql, host("h-small", 1024));
    await registerHost(db.sql, host("h-big", 4096));
    const s = createLeastLoaded(db.sql);
    assert.equal((await s.place(need)).id, "h-big");
    assert.equal((await getHost(db.sql, "h-big"))?.usedMemMib, 512);
  });

  it("breaks memory ties by free vCPUs and skips unhealthy and draining hosts", async () => {
    await registerHost(db.sql, host("h-a", 2048, 2));
    await registerHost(db.sql, host("h-b", 2048, 8));
    await registerHost(db.sql, host("h-c", 8192, 8));
    await registerHost(db.sql, host("h-d", 8192, 8));
    await setHostState(db.sql, "h-c", "draining");
    await setHostState(db.sql, "h-d", "unhealthy");
    assert.equal((await createLeastLoaded(db.sql).place(need)).id, "h-b");
  });

  it("never overcommits under concurrent placement", async () => {
    await registerHost(db.sql, host("h-1", 2048));
    const s = createLeastLoaded(db.sql);
    const rs = await Promise.allSettled(Array.from({ length: 6 }, () => s.place(need)));
    assert.equal(rs.filter((r) => r.status === "fulfilled").length, 4);
    assert.equal((await getHost(db.sql, "h-1"))?.usedMemMib, 2048);
  });

  it("says why nothing fits", async () => {
    const s = createLeastLoaded(db.sql);
    await assert.rejects(s.place(need), (e) => e instanceof ApiError && /no host agent/.test(e.message));
    await registerHost(db.sql, host("h-1", 256));
    await assert.rejects(
      s.place(need),
      (e) =>
        e instanceof ApiError && e.code === "no_capacity" && /no healthy host has 512 MiB/.test(e.message),
    );
    await setHostState(db.sql, "h-1", "unhealthy");
    await assert.rejects(s.place(need), /no healthy host$/);
  });

  it("single-host uses the one healthy host, or the named one", async () => {
    await registerHost(db.sql, host("h-1", 4096));
    assert.equal((await createSingleHost(db.sql).place(need)).id, "h-1");
    await registerHost(db.sql, host("h-2", 8192));
    assert.equal((await createSingleHost(db.sql, "h-2").place(need)).id, "h-2");
    await assert.rejects(createSingleHost(db.sql, "h-9").place(need), ApiError);
  });
});
