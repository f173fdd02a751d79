import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Migration is one parsed db/migrations/NNNNN_name.sql file. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: string;
  readonly down: string;
}

/** MIGRATIONS_DIR is the repository's db/migrations, found relative to this file. */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../../db/migrations/", import.meta.url));

const FILE_RE = /^(\d{5})_([a-z0-9_]+)\.sql$/;
const NAME_RE = /^[a-z0-9_]+$/;

/**
 * parseMigration splits a file at its `-- +up` and `-- +down` marker lines. Both markers are required
 * (a migration without a way back is a mistake we want to see at load time, not during a rollback).
 */
export function parseMigration(file: string, text: string): Migration {
  const m = FILE_RE.exec(file);
  if (!m) throw new Error(`migration ${file}: name must look like 00001_some_name.sql`);
  const lines = text.split("\n");
  const upAt = lines.findIndex((l) => l.trim() === "-- +up");
  const downAt = lines.findIndex((l) => l.trim() === "-- +down");
  if (upAt < 0 || downAt < 0 || downAt < upAt) {
    throw new Error(`migration ${file}: needs a "-- +up" line followed by a "-- +down" line`);
  }
  const up = lines
    .slice(upAt + 1, downAt)
    .join("\n")
    .trim();
  if (up === "") throw new Error(`migration ${file}: the up section is empty`);
  return {
    version: Number(m[1]),
    name: m[2] ?? "",
    up,
    down: lines
      .slice(downAt + 1)
      .join("\n")
      .trim(),
  };
}

/** loadMigrations reads and parses every migration in `dir`, ordered by version (duplicates throw). */
export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort();
  const out: Migration[] = [];
  for (const f of files) {
    const mig = parseMigration(f, await readFile(join(dir, f), "utf8"));
    if (out.some((x) => x.version === mig.version)) {
      throw new Error(`migration ${f}: version ${mig.version} is used twice`);
    }
    out.push(mig);
  }
  return out;
}

/** fileName is the canonical file name of a migration version. */
export function fileName(version: number, name: string): string {
  return `${String(version).padStart(5, "0")}_${name}.sql`;
}

/**
 * createMigrationFile writes the next numbered, empty migration and returns its path. Names are
 * lowercase snake_case so file order and version order agree.
 */
export async function createMigrationFile(name: string, dir: string = MIGRATIONS_DIR): Promise<string> {
  if (!NAME_RE.test(name)) throw new Error(`migration name "${name}": use lowercase letters, digits and _`);
  const existing = await loadMigrations(dir);
  const next = (existing.at(-1)?.version ?? 0) + 1;
  const path = join(dir, fileName(next, name));
  const body = `-- ${name}\n-- +up\n\n-- +down\n`;
  await writeFile(path, body, { flag: "wx" });
  return path;
}
