import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

/** sh runs a command for test set-up (argument array, no shell). */
export const sh = promisify(execFile);

/** makeExt4 builds a small real ext4 image from a tree holding `dataMiB` of random bytes. */
export async function makeExt4(dir: string, name: string, sizeMiB: number, dataMiB: number): Promise<string> {
  const tree = join(dir, `${name}-tree`);
  await mkdir(join(tree, "etc"), { recursive: true });
  await writeFile(join(tree, "etc", "hostname"), "sandbox\n");
  await writeFile(join(tree, "data.bin"), randomBytes(dataMiB * 2 ** 20));
  const img = join(dir, `${name}.ext4`);
  await sh("truncate", ["-s", `${sizeMiB}M`, img]);
  await sh("mkfs.ext4", ["-q", "-F", "-d", tree, img]);
  return img;
}

/** ext4SizeBytes reads the filesystem size from the superblock (what the guest will see). */
export async function ext4SizeBytes(img: string): Promise<number> {
  const { stdout } = await sh("dumpe2fs", ["-h", img], { encoding: "utf8" });
  const field = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(stdout)?.[1]);
  return field("Block count") * field("Block size");
}
