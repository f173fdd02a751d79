import { randomBytes } from "node:crypto";
import { rename, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { FsError } from "./errors.js";
import { run } from "./exec.js";
import { growImage } from "./ext4.js";
import { reflinkSupported } from "./reflink.js";
import { ensureFree } from "./space.js";

/** CloneMethod says how a disk was made: a shared-extent clone (instant) or a full sparse copy. */
export type CloneMethod = "reflink" | "copy";

/** CloneOptions describe one per-sandbox disk made from an image. */
export interface CloneOptions {
  src: string;
  dest: string;
  /** sizeMiB grows the disk (ext4: filesystem too); below the image size is `invalid_size`. */
  sizeMiB?: number;
  signal?: AbortSignal;
  /** reserveBytes stays free after the copy (default DEFAULT_RESERVE_BYTES). */
  reserveBytes?: number;
}

/** CloneResult reports the method and time, for the create-latency breakdown and capacity logs. */
export interface CloneResult {
  path: string;
  method: CloneMethod;
  ms: number;
  sizeBytes: number;
}

const MiB = 2 ** 20;

/**
 * cloneDisk copies an image to a new per-sandbox disk: a reflink where the filesystem can
 * (XFS/btrfs: instant, no space used), else `cp --reflink=auto --sparse=always` after checking free
 * space. It writes a temp file and renames it into place, so a failure or abort leaves nothing.
 */
export async function cloneDisk(o: CloneOptions): Promise<CloneResult> {
  const t0 = performance.now();
  const src = await stat(o.src).catch((err: unknown) => {
    throw new FsError("io_failed", `cannot stat image ${o.src}`, { cause: err });
  });
  if (o.sizeMiB !== undefined && (!Number.isInteger(o.sizeMiB) || o.sizeMiB * MiB < src.size)) {
    throw new FsError(
      "invalid_size",
      `disk size ${o.sizeMiB} MiB is below the image size ${Math.ceil(src.size / MiB)} MiB (or not an integer)`,
    );
  }
  if (await stat(o.dest).catch(() => null))
    throw new FsError("already_exists", `disk ${o.dest} already exists`);
  const dir = dirname(o.dest);
  const destDev = (
    await stat(dir).catch((err: unknown) => {
      throw new FsError("io_failed", `disk directory ${dir} is not accessible`, { cause: err });
    })
  ).dev;
  let method: CloneMethod = destDev === src.dev && (await reflinkSupported(dir)) ? "reflink" : "copy";
  const tmp = `${o.dest}.partial-${randomBytes(4).toString("hex")}`;
  try {
    if (method === "reflink") {
      await ensureFree(dir, 0, o.reserveBytes);
      try {
        await run("cp", ["--reflink=always", o.src, tmp], "clone_failed", o.signal);
      } catch (err) {
        if (err instanceof FsError && err.code === "aborted") throw err;
        await rm(tmp, { force: true });
        method = "copy";
      }
    }
    if (method === "copy") {
      await ensureFree(dir, src.blocks * 512, o.reserveBytes);
      await run("cp", ["--reflink=auto", "--sparse=always", o.src, tmp], "clone_failed", o.signal);
    }
    if (o.sizeMiB !== undefined && o.sizeMiB * MiB > src.size) await growImage(tmp, o.sizeMiB, o.signal);
    if (o.signal?.aborted) throw new FsError("aborted", `clone of ${o.src} aborted`);
    await rename(tmp, o.dest);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  const sizeBytes = (await stat(o.dest)).size;
  return { path: o.dest, method, ms: performance.now() - t0, sizeBytes };
}

/** deleteDisk removes a sandbox disk; a missing disk is not an error (destroy is idempotent). */
export async function deleteDisk(path: string): Promise<void> {
  try {
    await rm(path, { force: true });
  } catch (err) {
    throw new FsError("io_failed", `cannot delete disk ${path}`, { cause: err });
  }
}
