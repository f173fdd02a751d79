import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cloneDisk, reflinkSupported } from "./index.js";
import { ext4SizeBytes, makeExt4, sh } from "./testimage.test-helper.js";

const canMount = await sh("mkfs.xfs", ["-V"]).then(
  () => process.getuid?.() === 0,
  () => false,
);

// A real XFS filesystem on a loop device (needs root and xfsprogs), where clones must be reflinks.
describe("cloneDisk on XFS (reflink)", { skip: canMount ? false : "needs root and mkfs.xfs" }, () => {
  let dir: string;
  let mnt: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "wrenn-xfs-"));
    mnt = join(dir, "mnt");
    await mkdir(mnt);
    await sh("truncate", ["-s", "320M", join(dir, "xfs.img")]);
    await sh("mkfs.xfs", ["-q", "-m", "reflink=1", join(dir, "xfs.img")]);
    await sh("mount", ["-o", "loop", join(dir, "xfs.img"), mnt]);
  });
  after(async () => {
    await sh("umount", [mnt]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it("detects reflink support once and clones by reflink", async () => {
    assert.equal(await reflinkSupported(mnt), true);
    assert.equal(await reflinkSupported(dir), false, "the ext4/tmpfs parent has no reflink");
    assert.deepEqual(
      (await readdir(mnt)).filter((n) => n.startsWith(".reflink-probe")),
      [],
      "the probe cleans up",
    );
    const img = await makeExt4(mnt, "tpl", 64, 16);
    const r = await cloneDisk({ src: img, dest: join(mnt, "sb-1.ext4"), sizeMiB: 128, reserveBytes: 0 });
    assert.equal(r.method, "reflink");
    assert.equal(await ext4SizeBytes(r.path), 128 * 2 ** 20);
    await sh("e2fsck", ["-fn", r.path]);
  });

  it("falls back to a copy across filesystems", async () => {
    const img = await makeExt4(dir, "outside", 16, 1);
    const r = await cloneDisk({ src: img, dest: join(mnt, "sb-2.ext4"), reserveBytes: 0 });
    assert.equal(r.method, "copy");
  });
});
