import { open } from "node:fs/promises";
import { FsError } from "./errors.js";
import { run } from "./exec.js";

const EXT_MAGIC_OFFSET = 1024 + 0x38; // superblock starts at 1024; s_magic is at 0x38
const EXT_MAGIC = 0xef53;

/** isExt4 tells whether an image holds an ext2/3/4 filesystem (only those can be grown offline here). */
export async function isExt4(path: string): Promise<boolean> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, EXT_MAGIC_OFFSET);
    return bytesRead === 2 && buf.readUInt16LE(0) === EXT_MAGIC;
  } finally {
    await fh.close();
  }
}

/**
 * growImage extends an image file to `sizeMiB` (sparse: no blocks are written) and, for ext4,
 * grows the filesystem with resize2fs so the guest sees the space. Other formats are only
 * extended; their guest grows them itself.
 */
export async function growImage(path: string, sizeMiB: number, signal?: AbortSignal): Promise<void> {
  try {
    const fh = await open(path, "r+");
    try {
      await fh.truncate(sizeMiB * 2 ** 20);
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw new FsError("resize_failed", `cannot extend ${path} to ${sizeMiB} MiB`, { cause: err });
  }
  if (await isExt4(path)) await run("resize2fs", [path, `${sizeMiB}M`], "resize_failed", signal);
}
