import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type TestDatabase, useTestDatabase } from "../testing/index.js";
import {
  connectDb,
  createMigrationFile,
  loadMigrations,
  migrateDown,
  migrateReset,
  migrateUp,
  migrationStatus,
} from "./index.js";
import { parseMigration } from "./migration-files.js";

const run = promisify(execFile);
const CLI = fileURLToPath(new URL("./migrate.ts", import.meta.url));

async function tables(db: TestDatabase): Promise<string[]> {
  const rows = await db.sql<{ t: string }[]>`
    SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`;
  return rows.map((r) => r.t);
}

describe("migrator", () => {
  let db: TestDatabase;
  before(async () => {
    db = await useTestDatabase({ migrate: false });
  });
  after(async () => {
    await db?.close();
  });

  it("applies every migration once, then has nothing to do", async () => {
    const all = await loadMigrations();
    const first = await migrateUp(db.sql);
    assert.deepEqual(
      first.map((s) => s.version),
      all.map((m) => m.version),
    );
    assert.deepEqual(await migrateUp(db.sql), []);
    assert.deepEqual(await tables(db), [
      "api_keys",
      "audit_events",
      "billing_outbox",
      "hosts",
      "sandboxes",
      "schema_migrations",
      "teams",
    ]);
    assert.ok((await migrationStatus(db.sql)).every((s) => s.appliedAt instanceof Date));
  });

  it("down reverts exactly the newest migration", async () => {
    const all = await loadMigrations();
    const last = all.at(-1);
    const steps = await migrateDown(db.sql);
    assert.deepEqual(steps, [{ version: last?.version, name: last?.name, direction: "down" }]);
    const status = await migrationStatus(db.sql);
    assert.equal(status.at(-1)?.appliedAt, null);
    assert.ok(status.slice(0, -1).every((s) => s.appliedAt !== null));
    assert.equal((await migrateUp(db.sql)).length, 1);
  });

  it("down all the way to empty, then up again", async () => {
    const n = (await loadMigrations()).length;
    for (let i = 0; i < n; i++) assert.equal((await migrateDown(db.sql)).length, 1);
    assert.deepEqual(await migrateDown(db.sql), []);
    assert.deepEqual(await tables(db), ["schema_migrations"]);
    assert.equal((await migrateUp(db.sql)).length, n);
  });

  it("reset reverts everything then applies everything, twice in a row", async () => {
    const n = (await loadMigrations()).length;
    for (let i = 0; i < 2; i++) {
      const steps = await migrateReset(db.sql);
      assert.equal(steps.filter((s) => s.direction === "down").length, n);
      assert.equal(steps.filter((s) => s.direction === "up").length, n);
      assert.equal((await tables(db)).length, 7);
    }
  });
});

describe("migrator with a broken migration", () => {
  let db: TestDatabase;
  let dir: string;
  before(async () => {
    db = await useTestDatabase({ migrate: false });
    dir = await mkdtemp(join(tmpdir(), "wrenn-mig-"));
    await writeFile(join(dir, "00001_ok.sql"), "-- +up\nCREATE TABLE a (x int);\n-- +down\nDROP TABLE a;\n");
    await writeFile(
      join(dir, "00002_bad.sql"),
      "-- +up\nCREATE TABLE b (x int);\nSELECT no_such_function();\n-- +down\nDROP TABLE b;\n",
    );
  });
  after(async () => {
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps earlier migrations and rolls the failing one back entirely", async () => {
    await assert.rejects(migrateUp(db.sql, { dir }), { name: "DbError", code: "internal" });
    const status = await migrationStatus(db.sql, { dir });
    assert.deepEqual(
      status.map((s) => s.appliedAt !== null),
      [true, false],
    );
    assert.deepEqual(await tables(db), ["a", "schema_migrations"]);
  });
});

describe("concurrent migrate up", () => {
  let db: TestDatabase;
  before(async () => {
    db = await useTestDatabase({ migrate: false });
  });
  after(async () => {
    await db?.close();
  });

  it("two processes racing apply each migration exactly once", async () => {
    const env = { ...process.env, DATABASE_URL: db.url };
    const [a, b] = await Promise.all(
      [1, 2].map(() => run(process.execPath, ["--import", "tsx", CLI, "up"], { env })),
    );
    const applied = `${a?.stdout}${b?.stdout}`.split("\n").filter((l) => l.includes("applied"));
    const n = (await loadMigrations()).length;
    assert.equal(applied.length, n, `outputs:\n${a?.stdout}\n${b?.stdout}`);
    const [row] = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM schema_migrations`;
    assert.equal(row?.n, n);
  });

  it("two pools racing in one process also apply each migration once", async () => {
    const n = (await loadMigrations()).length;
    for (let i = 0; i < n; i++) await migrateDown(db.sql);
    const other = connectDb(db.url, { max: 2 });
    try {
      const [a, b] = await Promise.all([migrateUp(db.sql), migrateUp(other)]);
      assert.equal((a?.length ?? 0) + (b?.length ?? 0), n);
    } finally {
      await other.end();
    }
  });
});

describe("migration files", () => {
  it("creates the next numbered file with both sections", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wrenn-mig-"));
    try {
      await writeFile(join(dir, "00007_seed.sql"), "-- +up\nSELECT 1;\n-- +down\n");
      const path = await createMigrationFile("add_widgets", dir);
      assert.equal(path, join(dir, "00008_add_widgets.sql"));
      assert.match(await readFile(path, "utf8"), /-- \+up\n[\s\S]*-- \+down\n/);
      await assert.rejects(createMigrationFile("Bad-Name", dir), /lowercase/);
      assert.deepEqual((await readdir(dir)).sort(), ["00007_seed.sql", "00008_add_widgets.sql"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("rejects files without markers, with an empty up, or with a bad name", () => {
    assert.throws(() => parseMigration("00001_x.sql", "CREATE TABLE t();"), /-- \+up/);
    assert.throws(() => parseMigration("00001_x.sql", "-- +up\n\n-- +down\n"), /empty/);
    assert.throws(() => parseMigration("1_x.sql", "-- +up\nSELECT 1;\n-- +down\n"), /00001_some_name/);
    const m = parseMigration("00012_x_y.sql", "-- note\n-- +up\nSELECT 1;\n-- +down\nSELECT 2;\n");
    assert.deepEqual(m, { version: 12, name: "x_y", up: "SELECT 1;", down: "SELECT 2;" });
  });
});
