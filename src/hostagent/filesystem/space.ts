import { statfs } from "node:fs/promises";
import { FsError } from "./errors.js";

/** DiskSpace is one filesystem's capacity, for host status and the disk-full pre-check. */
export interface DiskSpace {
  totalBytes: number;
  usedBytes: number;
  /** availBytes is what an unprivileged writer may still use (excludes the root reserve). */
  availBytes: number;
}

/** diskSpace reads statfs(2) for the filesystem holding `path`. */
export async function diskSpace(path: string): Promise<DiskSpace> {
  let s: Awaited<ReturnType<typeof statfs>>;
  try {
    s = await statfs(path);
  } catch (err) {
    throw new FsError("io_failed", `statfs ${path}`, { cause: err });
  }
  const totalBytes = s.blocks * s.bsize;
  return { totalBytes, usedBytes: totalBytes - s.bfree * s.bsize, availBytes: s.bavail * s.bsize };
}

/** DEFAULT_RESERVE_BYTES is head-room kept free so the agent's own state writes still succeed. */
export const DEFAULT_RESERVE_BYTES = 256 * 1024 * 1024;

/**
 * ensureFree fails with `disk_full` before a copy or snapshot that would not fit (plus a reserve),
 * so the work fails cleanly up front instead of leaving a half-written file and a full disk.
 */
export async function ensureFree(path: string, needBytes: number, reserveBytes = DEFAULT_RESERVE_BYTES) {
  const { availBytes } = await diskSpace(path);
  if (needBytes + reserveBytes > availBytes) {
    const mib = (n: number) => `${Math.ceil(n / 2 ** 20)} MiB`;
    throw new FsError(
      "disk_full",
      `disk full: ${path} has ${mib(availBytes)} free, need ${mib(needBytes)} + ${mib(reserveBytes)} reserve`,
    );
  }
  return availBytes;
}
