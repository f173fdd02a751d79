import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** TEMP_SUFFIX marks files that are being written; loaders skip them and `sweepTemp` removes them. */
export const TEMP_SUFFIX = ".tmp";

/**
 * writeFileAtomic replaces `path` so that a crash at any point leaves either the old or the new
 * content: write a unique temp file, fsync it, rename it over `path`, fsync the directory.
 * Concurrent writers each use their own temp file, so the last rename wins and nothing tears.
 */
export async function writeFileAtomic(path: string, data: string, mode = 0o600): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}${TEMP_SUFFIX}`);
  try {
    const fh = await open(tmp, "wx", mode);
    try {
      await fh.writeFile(data, "utf8");
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dir);
}

/** syncDir fsyncs a directory so a rename or unlink inside it survives a power loss. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
