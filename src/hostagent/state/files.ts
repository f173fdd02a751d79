import { mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { TEMP_SUFFIX } from "./atomic.js";
import { StateError } from "./errors.js";

/** Skipped names a file a loader could not use, so start-up can log it instead of crashing. */
export interface Skipped {
  file: string;
  reason: string;
}

/** ensureDir creates a private (0700) directory; state holds tokens, so nobody else may list it. */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new StateError("io_failed", `cannot create ${dir}`, { cause: err });
  }
}

/**
 * readJsonDir parses every `*.json` in `dir` with `parse`; temp files from interrupted writes and
 * unparsable, invalid or misnamed (id ≠ file name) files are reported in `skipped`, never thrown,
 * so one bad file cannot stop a restart from adopting the rest.
 */
export async function readJsonDir<T extends { id: string }>(
  dir: string,
  parse: (v: unknown) => T,
): Promise<{ items: T[]; skipped: Skipped[] }> {
  const items: T[] = [];
  const skipped: Skipped[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { items, skipped };
    throw new StateError("io_failed", `cannot list ${dir}`, { cause: err });
  }
  for (const name of names.sort()) {
    if (!name.endsWith(".json") || name.startsWith(".")) continue;
    try {
      const item = parse(JSON.parse(await readFile(join(dir, name), "utf8")));
      if (item.id !== name.slice(0, -".json".length))
        throw new Error(`id ${item.id} does not match the file name`);
      items.push(item);
    } catch (err) {
      skipped.push({ file: join(dir, name), reason: err instanceof Error ? err.message : String(err) });
    }
  }
  return { items, skipped };
}

/** readJson loads one JSON file; null when it does not exist. */
export async function readJson(path: string): Promise<unknown | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new StateError("io_failed", `cannot read ${path}`, { cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new StateError("invalid_record", `${path} is not valid JSON`, { cause: err });
  }
}

/**
 * sweepTemp removes temp files older than `minAgeMs` that interrupted writes left in `dir`; the age
 * guard spares the temp file of a write still in flight.
 */
export async function sweepTemp(dir: string, minAgeMs = 60_000): Promise<string[]> {
  const removed: string[] = [];
  const now = Date.now();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith(TEMP_SUFFIX)) continue;
    const path = join(dir, name);
    const st = await stat(path).catch(() => null);
    if (st && now - st.mtimeMs >= minAgeMs) {
      await rm(path, { force: true });
      removed.push(path);
    }
  }
  return removed;
}
