import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cloneDisk, deleteDisk, diskSpace, ensureFree, FsError, reflinkSupported } from "./index.js";
import { ext4SizeBytes, makeExt4, sh } from "./testimage.test-helper.js";

const code = (c: string) => (e: unknown) => e instanceof FsError && e.code === c;

describe("cloneDisk on this host's filesystem", () => {
  let dir: string;
  let img: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "wrenn-fs-"));
    img = await makeExt4(dir, "tpl", 16, 2);
    await mkdir(join(dir, "disks"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("clones and grows an ext4 image; the copy checks clean", async () => {
    const dest = join(dir, "disks", "sb-1.ext4");
    const r = await cloneDisk({ src: img, dest, sizeMiB: 32, reserveBytes: 0 });
    assert.equal(r.method, (await reflinkSupported(dir)) ? "reflink" : "copy");
    assert.equal(r.sizeBytes, 32 * 2 ** 20);
    assert.ok(r.ms >= 0);
    assert.equal(await ext4SizeBytes(dest), 32 * 2 ** 20);
    await sh("e2fsck", ["-fn", dest]);
    const { stdout } = await sh("debugfs", ["-R", "cat /etc/hostname", dest], { encoding: "utf8" });
    assert.equal(stdout, "sandbox\n");
    assert.ok((await stat(dest)).blocks * 512 < 8 * 2 ** 20, "the copy stays sparse");
    await deleteDisk(dest);
    await deleteDisk(dest);
    assert.deepEqual(await readdir(join(dir, "disks")), []);
  });

  it("keeps the image size when no size is asked for", async () => {
    const dest = join(dir, "disks", "sb-2.ext4");
    const r = await cloneDisk({ src: img, dest, reserveBytes: 0 });
    assert.equal(r.sizeBytes, 16 * 2 ** 20);
    await assert.rejects(cloneDisk({ src: img, dest, reserveBytes: 0 }), code("already_exists"));
    await deleteDisk(dest);
  });

  it("rejects shrinking below the image with invalid_size, creating nothing", async () => {
    const dest = join(dir, "disks", "sb-3.ext4");
    await assert.rejects(cloneDisk({ src: img, dest, sizeMiB: 8 }), code("invalid_size"));
    await assert.rejects(cloneDisk({ src: img, dest, sizeMiB: 16.5 }), code("invalid_size"));
    assert.deepEqual(await readdir(join(dir, "disks")), []);
  });

  it("fails with disk_full before copying when space is short, leaving nothing", async () => {
    const dest = join(dir, "disks", "sb-4.ext4");
    const { availBytes } = await diskSpace(dir);
    await assert.rejects(cloneDisk({ src: img, dest, reserveBytes: availBytes }), code("disk_full"));
    await assert.rejects(ensureFree(dir, availBytes + 1, 0), /disk full/);
    assert.deepEqual(await readdir(join(dir, "disks")), []);
  });

  it("removes the partial disk when growing fails after the copy", async () => {
    const bad = join(dir, "bad.img");
    const buf = Buffer.alloc(2 ** 20);
    buf.writeUInt16LE(0xef53, 1024 + 0x38); // ext4 magic over a garbage superblock
    await writeFile(bad, buf);
    const dest = join(dir, "disks", "sb-5.ext4");
    await assert.rejects(cloneDisk({ src: bad, dest, sizeMiB: 4, reserveBytes: 0 }), code("resize_failed"));
    assert.deepEqual(await readdir(join(dir, "disks")), []);
  });

  it("honours an aborted signal, leaving nothing", async () => {
    const dest = join(dir, "disks", "sb-6.ext4");
    const signal = AbortSignal.abort();
    await assert.rejects(cloneDisk({ src: img, dest, reserveBytes: 0, signal }), code("aborted"));
    assert.deepEqual(await readdir(join(dir, "disks")), []);
  });

  it("reports capacity from statfs", async () => {
    const s = await diskSpace(dir);
    assert.ok(s.totalBytes > 0 && s.availBytes <= s.totalBytes && s.usedBytes <= s.totalBytes);
  });
});
