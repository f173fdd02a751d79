import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  claimExpired,
  createTeam,
  getSandbox,
  insertSandbox,
  listSandboxes,
  transition,
} from "../models/index.js";
import { type Database, loadMigrations, migrateUp, openDatabase } from "./index.js";

const SMALL = { template: "minimal", vcpus: 1, memMib: 256, diskMib: 1024, timeoutS: 300 };

describe("embedded mode (PGlite over pglite-socket)", () => {
  let dir: string;
  let db: Database;
  let team: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "wrenn-pglite-"));
    db = await openDatabase({ url: undefined, embeddedDataDir: join(dir, "pglite") });
  });
  after(async () => {
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("opens embedded when no URL is given and runs the same migrations", async () => {
    assert.equal(db.embedded, true);
    const steps = await migrateUp(db.sql);
    assert.equal(steps.length, (await loadMigrations()).length);
    assert.deepEqual(await migrateUp(db.sql), []);
    team = (await createTeam(db.sql, { name: "dev" })).id;
  });

  it("guards transitions: of concurrent attempts exactly one wins", async () => {
    for (let round = 0; round < 5; round++) {
      const sb = await insertSandbox(db.sql, { teamId: team, ...SMALL });
      const results = await Promise.all([
        transition(db.sql, sb.id, ["pending"], "starting"),
        transition(db.sql, sb.id, ["pending"], "starting"),
        transition(db.sql, sb.id, ["pending"], "stopped"),
        transition(db.sql, sb.id, ["pending"], "error", { error: "x" }),
      ]);
      assert.equal(results.filter((r) => r !== null).length, 1);
    }
  });

  it("keeps concurrent transactions apart on the pool of 4", async () => {
    const ids = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        db.sql
          .begin(async (tx) => {
            const sb = await insertSandbox(tx, { teamId: team, ...SMALL, metadata: { tx: String(i) } });
            await transition(tx, sb.id, ["pending"], "starting");
            if (i % 2) throw new Error("rollback");
            return sb.id;
          })
          .catch(() => null),
      ),
    );
    assert.equal(ids.filter((x) => x !== null).length, 4);
    const page = await listSandboxes(db.sql, team, { metadata: {}, states: ["starting"], limit: 100 });
    const kept = page.items.filter((s) => s.metadata.tx !== undefined);
    assert.deepEqual(kept.map((s) => s.id).sort(), ids.filter((x) => x !== null).sort());
  });

  it("claims expired sandboxes once across concurrent claimers", async () => {
    for (let i = 0; i < 6; i++) {
      const sb = await insertSandbox(db.sql, { teamId: team, ...SMALL });
      await transition(db.sql, sb.id, ["pending"], "starting");
      await transition(db.sql, sb.id, ["starting"], "running", { endAt: new Date(Date.now() - 1000) });
    }
    const now = new Date();
    const batches = await Promise.all([1, 2, 3].map((n) => claimExpired(db.sql, now, 4, { owner: `r${n}` })));
    const got = batches.flat().map((c) => c.sandbox.id);
    assert.equal(got.length, 6);
    assert.equal(new Set(got).size, 6);
  });

  it("persists across a restart of the embedded database", async () => {
    const sb = await insertSandbox(db.sql, { teamId: team, ...SMALL });
    await db.close();
    db = await openDatabase({ embeddedDataDir: join(dir, "pglite") });
    assert.deepEqual(await migrateUp(db.sql), []);
    assert.equal((await getSandbox(db.sql, team, sb.id))?.id, sb.id);
  });
});
