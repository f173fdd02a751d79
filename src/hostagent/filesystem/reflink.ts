import { randomBytes } from "node:crypto";
import { rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "./exec.js";

const cache = new Map<number, Promise<boolean>>();

/**
 * reflinkSupported tells whether the filesystem holding `dir` can clone files (FICLONE: XFS,
 * btrfs), by trying `cp --reflink=always` on a probe file once per filesystem (st_dev) and caching
 * the answer. Knowing it lets clones report their method and skip the full-copy space check.
 */
export async function reflinkSupported(dir: string): Promise<boolean> {
  const dev = (await stat(dir)).dev;
  let p = cache.get(dev);
  if (!p) {
    p = probe(dir);
    cache.set(dev, p);
  }
  return p;
}

async function probe(dir: string): Promise<boolean> {
  const tag = randomBytes(4).toString("hex");
  const a = join(dir, `.reflink-probe-${tag}`);
  const b = `${a}.clone`;
  try {
    await writeFile(a, "wrenn reflink probe\n");
    await run("cp", ["--reflink=always", a, b], "clone_failed");
    return true;
  } catch {
    return false;
  } finally {
    await rm(a, { force: true });
    await rm(b, { force: true });
  }
}
