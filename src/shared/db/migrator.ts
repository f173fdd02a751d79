import type postgres from "postgres";
import type { Pool } from "./connect.js";
import { dbCall } from "./errors.js";
import { fileName, loadMigrations, MIGRATIONS_DIR, type Migration } from "./migration-files.js";

/** MigrationStep reports one applied or reverted migration, for the CLI to print. */
export interface MigrationStep {
  readonly version: number;
  readonly name: string;
  readonly direction: "up" | "down";
}

/** MigrationStatus is one known migration and whether (and when) it is applied. */
export interface MigrationStatus {
  readonly version: number;
  readonly name: string;
  readonly appliedAt: Date | null;
}

/** MigratorOptions points the migrator at a directory other than db/migrations (tests). */
export interface MigratorOptions {
  dir?: string;
}

type Conn = postgres.ReservedSql;

/**
 * withLock runs `fn` on one reserved connection holding a session advisory lock, so two replicas
 * starting together apply each migration once: the second waits, then finds nothing left to do.
 */
async function withLock<T>(sql: Pool, fn: (conn: Conn) => Promise<T>): Promise<T> {
  return dbCall(async () => {
    const conn = await sql.reserve();
    try {
      await conn`SELECT pg_advisory_lock(hashtext('wrenn.schema_migrations'))`;
      try {
        await conn`CREATE TABLE IF NOT EXISTS schema_migrations (
          version integer PRIMARY KEY,
          name text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`;
        return await fn(conn);
      } finally {
        await conn`SELECT pg_advisory_unlock(hashtext('wrenn.schema_migrations'))`;
      }
    } finally {
      conn.release();
    }
  });
}

/** inTransaction runs `fn` between BEGIN and COMMIT on the reserved connection (sql.begin would pick another). */
async function inTransaction(conn: Conn, fn: () => Promise<void>): Promise<void> {
  await conn`BEGIN`;
  try {
    await fn();
    await conn`COMMIT`;
  } catch (err) {
    await conn`ROLLBACK`;
    throw err;
  }
}

async function appliedVersions(conn: Conn): Promise<Map<number, Date>> {
  const rows = await conn<{ version: number; applied_at: Date }[]>`
    SELECT version, applied_at FROM schema_migrations ORDER BY version`;
  return new Map(rows.map((r) => [r.version, r.applied_at]));
}

async function applyUp(conn: Conn, m: Migration): Promise<MigrationStep> {
  await inTransaction(conn, async () => {
    await conn.unsafe(m.up);
    await conn`INSERT INTO schema_migrations (version, name) VALUES (${m.version}, ${m.name})`;
  });
  return { version: m.version, name: m.name, direction: "up" };
}

async function applyDown(conn: Conn, m: Migration): Promise<MigrationStep> {
  await inTransaction(conn, async () => {
    if (m.down !== "") await conn.unsafe(m.down);
    await conn`DELETE FROM schema_migrations WHERE version = ${m.version}`;
  });
  return { version: m.version, name: m.name, direction: "down" };
}

function byVersion(all: Migration[], version: number): Migration {
  const m = all.find((x) => x.version === version);
  if (!m) throw new Error(`migration ${fileName(version, "*")} is applied but its file is missing`);
  return m;
}

/** migrateUp applies every pending migration in version order, each in its own transaction. */
export async function migrateUp(sql: Pool, opts: MigratorOptions = {}): Promise<MigrationStep[]> {
  const all = await loadMigrations(opts.dir ?? MIGRATIONS_DIR);
  return withLock(sql, async (conn) => {
    const applied = await appliedVersions(conn);
    const steps: MigrationStep[] = [];
    for (const m of all) if (!applied.has(m.version)) steps.push(await applyUp(conn, m));
    return steps;
  });
}

/** migrateDown reverts the most recently applied migration (one step); [] when none is applied. */
export async function migrateDown(sql: Pool, opts: MigratorOptions = {}): Promise<MigrationStep[]> {
  const all = await loadMigrations(opts.dir ?? MIGRATIONS_DIR);
  return withLock(sql, async (conn) => {
    const last = [...(await appliedVersions(conn)).keys()].at(-1);
    return last === undefined ? [] : [await applyDown(conn, byVersion(all, last))];
  });
}

/** migrateReset reverts every applied migration (newest first), then applies them all again. */
export async function migrateReset(sql: Pool, opts: MigratorOptions = {}): Promise<MigrationStep[]> {
  const all = await loadMigrations(opts.dir ?? MIGRATIONS_DIR);
  return withLock(sql, async (conn) => {
    const steps: MigrationStep[] = [];
    for (const v of [...(await appliedVersions(conn)).keys()].reverse()) {
      steps.push(await applyDown(conn, byVersion(all, v)));
    }
    for (const m of all) steps.push(await applyUp(conn, m));
    return steps;
  });
}

/** migrationStatus lists every migration file with its applied time (null when pending). */
export async function migrationStatus(sql: Pool, opts: MigratorOptions = {}): Promise<MigrationStatus[]> {
  const all = await loadMigrations(opts.dir ?? MIGRATIONS_DIR);
  return withLock(sql, async (conn) => {
    const applied = await appliedVersions(conn);
    return all.map((m) => ({ version: m.version, name: m.name, appliedAt: applied.get(m.version) ?? null }));
  });
}
