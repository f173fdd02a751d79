import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { VmError } from "./errors.js";

const run = promisify(execFile);

/** copyDisk clones a disk image with `cp --reflink=auto` (instant on XFS/btrfs, a full copy elsewhere). */
export async function copyDisk(
  from: string,
  to: string,
  code: "snapshot_failed" | "restore_failed",
): Promise<void> {
  try {
    await run("cp", ["--reflink=auto", "--sparse=always", from, to]);
  } catch (err) {
    throw new VmError(code, `copy ${from} → ${to} failed`, { cause: err });
  }
}
