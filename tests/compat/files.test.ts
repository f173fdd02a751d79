// The official E2B SDK's filesystem API against envd (debug mode, no VM).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { FileType, NotFoundError, type Sandbox } from "e2b";
import { type EnvdProcess, sandboxFor, startEnvd } from "./harness.js";

describe("e2b SDK: files", () => {
  let envd: EnvdProcess;
  let sbx: Sandbox;
  let dir: string;
  before(async () => {
    envd = await startEnvd();
    sbx = await sandboxFor(envd);
    dir = `${envd.workdir}/files`;
  });
  after(async () => envd?.stop());

  it("writes and reads text", async () => {
    const info = await sbx.files.write(`${dir}/a/b/hello.txt`, "hello wrenn\n");
    assert.equal(info.path, `${dir}/a/b/hello.txt`);
    assert.equal(info.name, "hello.txt");
    assert.equal(await sbx.files.read(`${dir}/a/b/hello.txt`), "hello wrenn\n");
  });

  it("round-trips a 10 MiB random binary byte-exact", async () => {
    const data = randomBytes(10 * 1024 * 1024);
    const ab = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
    await sbx.files.write(`${dir}/blob.bin`, ab);
    const back = await sbx.files.read(`${dir}/blob.bin`, { format: "bytes" });
    assert.equal(back.byteLength, data.byteLength);
    assert.ok(Buffer.from(back).equals(data), "bytes differ");
  });

  it("writes several files in one call", async () => {
    const infos = await sbx.files.write([
      { path: `${dir}/multi/one.txt`, data: "1" },
      { path: `${dir}/multi/two.txt`, data: "22" },
    ]);
    assert.deepEqual(infos.map((i) => i.name).sort(), ["one.txt", "two.txt"]);
    assert.equal(await sbx.files.read(`${dir}/multi/two.txt`), "22");
  });

  it("lists, stats, checks existence", async () => {
    await sbx.files.write(`${dir}/list/x.txt`, "xx");
    await sbx.files.makeDir(`${dir}/list/sub`);
    await sbx.files.write(`${dir}/list/sub/deep.txt`, "deep");
    const entries = await sbx.files.list(`${dir}/list`);
    const byName = Object.fromEntries(entries.map((e) => [e.name, e]));
    assert.deepEqual(Object.keys(byName).sort(), ["sub", "x.txt"]);
    assert.equal(byName["x.txt"]?.type, FileType.FILE);
    assert.equal(byName["x.txt"]?.size, 2);
    assert.equal(byName.sub?.type, FileType.DIR);
    const deep = await sbx.files.list(`${dir}/list`, { depth: 2 });
    assert.ok(deep.some((e) => e.path === `${dir}/list/sub/deep.txt`));
    const info = await sbx.files.getInfo(`${dir}/list/x.txt`);
    assert.equal(info.size, 2);
    assert.equal(info.type, FileType.FILE);
    assert.match(info.permissions, /^[-dl][-r][-w][-xsS][-r][-w][-xsS][-r][-w][-xtT]$/);
    assert.ok(info.modifiedTime instanceof Date);
    assert.equal(await sbx.files.exists(`${dir}/list/x.txt`), true);
    assert.equal(await sbx.files.exists(`${dir}/list/missing.txt`), false);
  });

  it("makes directories, renames and removes", async () => {
    assert.equal(await sbx.files.makeDir(`${dir}/mk/a/b`), true);
    assert.equal(await sbx.files.makeDir(`${dir}/mk/a/b`), false, "second makeDir reports it existed");
    await sbx.files.write(`${dir}/mk/old.txt`, "move me");
    const moved = await sbx.files.rename(`${dir}/mk/old.txt`, `${dir}/mk/a/new.txt`);
    assert.equal(moved.path, `${dir}/mk/a/new.txt`);
    assert.equal(await sbx.files.read(`${dir}/mk/a/new.txt`), "move me");
    assert.equal(await sbx.files.exists(`${dir}/mk/old.txt`), false);
    await sbx.files.remove(`${dir}/mk`);
    assert.equal(await sbx.files.exists(`${dir}/mk`), false);
  });

  it("reports missing files as NotFoundError", async () => {
    await assert.rejects(sbx.files.read(`${dir}/nope.txt`), NotFoundError);
    await assert.rejects(sbx.files.getInfo(`${dir}/nope.txt`), NotFoundError);
    await assert.rejects(sbx.files.list(`${dir}/nope`), NotFoundError);
  });

  it("watches a directory for create, write and remove", async () => {
    const wdir = `${dir}/watched`;
    await sbx.files.makeDir(wdir);
    const events: { name: string; type: string }[] = [];
    const handle = await sbx.files.watchDir(wdir, (e) => {
      events.push({ name: e.name, type: String(e.type) });
    });
    await sbx.files.write(`${wdir}/w.txt`, "1");
    await sbx.files.remove(`${wdir}/w.txt`);
    const deadline = Date.now() + 5000;
    while (!events.some((e) => e.type === "remove") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
    }
    await handle.stop();
    const types = new Set(events.filter((e) => e.name === "w.txt").map((e) => e.type));
    assert.ok(types.has("create"), `create seen in ${JSON.stringify(events)}`);
    assert.ok(types.has("write") || types.has("create"), "write seen");
    assert.ok(types.has("remove"), `remove seen in ${JSON.stringify(events)}`);
  });

  it("watches recursively", async () => {
    const wdir = `${dir}/watched-rec`;
    await sbx.files.makeDir(`${wdir}/sub`);
    const names: string[] = [];
    const handle = await sbx.files.watchDir(
      wdir,
      (e) => {
        names.push(e.name);
      },
      { recursive: true },
    );
    await sbx.files.write(`${wdir}/sub/inner.txt`, "x");
    const deadline = Date.now() + 5000;
    while (!names.includes("sub/inner.txt") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
    }
    await handle.stop();
    assert.ok(names.includes("sub/inner.txt"), `events: ${JSON.stringify(names)}`);
  });
});
