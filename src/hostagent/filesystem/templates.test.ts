import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { FsError, TemplateStore } from "./index.js";

describe("TemplateStore", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "wrenn-tpl-"));
    const manifest = { name: "minimal", key: "k1", diskSizeMiB: 256, memoryMiB: 256, env: {}, start: null };
    await mkdir(join(dir, "minimal"));
    await writeFile(join(dir, "minimal", "rootfs.ext4"), Buffer.alloc(4096));
    await writeFile(join(dir, "minimal", "template.json"), JSON.stringify(manifest));
    await mkdir(join(dir, "half")); // a build that died before template.json
    await writeFile(join(dir, "half", "rootfs.ext4.tmp"), "");
    await mkdir(join(dir, "cache"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("lists only fully built templates", async () => {
    assert.deepEqual(await new TemplateStore(dir).list(), ["minimal"]);
  });

  it("resolves a built template to its image and manifest", async () => {
    const t = await new TemplateStore(dir).resolve("minimal");
    assert.equal(t.rootfs, join(dir, "minimal", "rootfs.ext4"));
    assert.equal(t.manifest.key, "k1");
    assert.equal(t.sizeBytes, 4096);
  });

  it("names the available templates and `make images` for an unknown one", async () => {
    await assert.rejects(new TemplateStore(dir).resolve("half"), (e: unknown) => {
      assert.ok(e instanceof FsError);
      assert.equal(e.code, "template_not_found");
      assert.match(e.message, /available: minimal\)/);
      assert.match(e.message, /make images/);
      return true;
    });
    const none = new TemplateStore(join(dir, "missing"));
    await assert.rejects(none.resolve("minimal"), /available: none/);
  });

  it("rejects names that could leave the build directory", async () => {
    for (const name of ["../etc", "a/b", "", ".hidden"]) {
      await assert.rejects(
        new TemplateStore(dir).resolve(name),
        (e: unknown) => e instanceof FsError && e.code === "invalid_name",
      );
    }
  });

  it("resolves the real build output when `make images` has run", async (t) => {
    const store = new TemplateStore(join(import.meta.dirname, "../../../images/build"));
    const names = await store.list();
    if (!names.includes("minimal")) return t.skip("images/build/minimal not built");
    const tpl = await store.resolve("minimal");
    assert.equal(tpl.manifest.name, "minimal");
    assert.equal(tpl.sizeBytes, tpl.manifest.diskSizeMiB * 2 ** 20);
  });
});
