import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Allocator } from "./allocator.js";
import { parseCidr } from "./cidr.js";
import { NetworkError } from "./errors.js";

describe("Allocator", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "wrenn-alloc-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));
  const base = parseCidr("10.0.0.0/28"); // four /30s

  it("allocates distinct /30s, persists them and does not reuse a freed one at once", async () => {
    const file = join(dir, "a.json");
    const a = await Allocator.open(file, base);
    const got = await Promise.all(["0000000a", "0000000b", "0000000c"].map((id) => a.allocate(id)));
    assert.deepEqual(got, [0, 1, 2]);
    await a.update("0000000b", { sandboxId: "sb-1" });
    await a.free("0000000a");
    assert.equal(await a.allocate("0000000d"), 3, "next-fit skips the just-freed /30");
    const b = await Allocator.open(file, base);
    assert.deepEqual(b.get("0000000b"), { index: 1, sandboxId: "sb-1" });
    assert.equal(b.get("0000000a"), undefined);
    assert.equal(await b.allocate("0000000e"), 0);
    await assert.rejects(b.allocate("0000000f"), (e) => e instanceof NetworkError && e.code === "exhausted");
    assert.deepEqual(JSON.parse(await readFile(file, "utf8")).baseCidr, "10.0.0.0/28");
  });

  it("refuses a changed base CIDR while slots exist, and corrupt files", async () => {
    const file = join(dir, "b.json");
    await (await Allocator.open(file, base)).allocate("0000000a");
    await assert.rejects(
      Allocator.open(file, parseCidr("10.1.0.0/16")),
      (e) => e instanceof NetworkError && e.code === "invalid_config",
    );
    await writeFile(join(dir, "c.json"), "{not json");
    await assert.rejects(
      Allocator.open(join(dir, "c.json"), base),
      (e) => e instanceof NetworkError && e.code === "state_corrupt",
    );
  });
});
