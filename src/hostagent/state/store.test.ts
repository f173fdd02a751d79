import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { newIntent, type SandboxRecord, StateError, StateStore } from "./index.js";

const rec = (id: string, extra: Partial<SandboxRecord> = {}): SandboxRecord => ({
  version: 1,
  id,
  template: "minimal",
  state: "running",
  vcpus: 1,
  memMiB: 256,
  diskMiB: 512,
  metadata: { owner: "test" },
  createdAt: new Date(0).toISOString(),
  ...extra,
});

describe("StateStore", () => {
  let dir: string;
  let store: StateStore;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "wrenn-state-"));
    store = await StateStore.open(dir);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("round-trips a record with private permissions", async () => {
    const r = rec("sb-round", { vm: { kind: "qemu", pid: 42, stateDir: "/x" }, startMethod: "boot" });
    await store.put(r);
    assert.deepEqual(await store.get("sb-round"), r);
    const st = await stat(join(dir, "sandboxes", "sb-round.json"));
    assert.equal(st.mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, "sandboxes"))).mode & 0o777, 0o700);
  });

  it("keeps concurrent writes whole and applies them in call order", async () => {
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.put(rec("sb-race", { vcpus: i + 1 }))));
    const got = await store.get("sb-race");
    assert.equal(got.vcpus, 50);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.put(rec(`sb-many-${i}`))));
    const { items, skipped } = await store.list();
    assert.equal(items.filter((r) => r.id.startsWith("sb-many-")).length, 20);
    assert.deepEqual(skipped, []);
    const left = (await readdir(join(dir, "sandboxes"))).filter((n) => n.endsWith(".tmp"));
    assert.deepEqual(left, [], "no temp files remain");
  });

  it("ignores torn temp files and reports torn records instead of failing", async () => {
    const sb = join(dir, "sandboxes");
    await writeFile(join(sb, ".sb-torn.json.123.abcd.tmp"), '{"version":1,"id":"sb-to');
    await writeFile(join(sb, "sb-broken.json"), '{"version":1,"id":"sb-bro');
    await writeFile(join(sb, "sb-copy.json"), JSON.stringify(rec("sb-round")));
    const { items, skipped } = await store.list();
    assert.ok(!items.some((r) => r.id === "sb-torn" || r.id === "sb-broken"));
    assert.deepEqual(
      skipped.map((s) => s.file.slice(sb.length + 1)),
      ["sb-broken.json", "sb-copy.json"],
    );
    assert.match(skipped[1]?.reason ?? "", /does not match/);
    await rm(join(sb, "sb-broken.json"));
    await rm(join(sb, "sb-copy.json"));
    // an old temp file is swept at the next open; a fresh one (a write in flight) is not
    await utimes(join(sb, ".sb-torn.json.123.abcd.tmp"), new Date(0), new Date(0));
    await writeFile(join(sb, ".sb-fresh.json.1.beef.tmp"), "{");
    await StateStore.open(dir);
    const names = await readdir(sb);
    assert.ok(!names.includes(".sb-torn.json.123.abcd.tmp"));
    assert.ok(names.includes(".sb-fresh.json.1.beef.tmp"));
    await rm(join(sb, ".sb-fresh.json.1.beef.tmp"));
  });

  it("tolerates and preserves unknown fields", async () => {
    const raw = { ...rec("sb-future"), gpu: { model: "none" }, network: { slot: 3, netns: "sb-x", vlan: 7 } };
    await writeFile(join(dir, "sandboxes", "sb-future.json"), JSON.stringify(raw));
    const got = await store.get("sb-future");
    assert.deepEqual(got.gpu, { model: "none" });
    await store.put({ ...got, state: "paused" });
    const again = JSON.parse(await readFile(join(dir, "sandboxes", "sb-future.json"), "utf8"));
    assert.deepEqual(again.gpu, { model: "none" });
    assert.equal(again.network.vlan, 7);
    assert.equal(again.state, "paused");
  });

  it("rejects invalid records and ids with typed errors", async () => {
    await assert.rejects(store.put(rec("../evil")), (e: unknown) => (e as StateError).code === "invalid_id");
    await assert.rejects(
      store.put({ ...rec("sb-bad"), state: "flying" as never }),
      (e: unknown) => e instanceof StateError && e.code === "invalid_record",
    );
    await assert.rejects(store.get("sb-nope"), (e: unknown) => (e as StateError).code === "not_found");
  });

  it("stores secrets 0600 apart from the record and deletes everything", async () => {
    await store.put(rec("sb-sec"));
    await store.putSecrets("sb-sec", { accessToken: "tok", env: { A: "1" } });
    assert.deepEqual(await store.getSecrets("sb-sec"), { accessToken: "tok", env: { A: "1" } });
    assert.equal((await stat(join(dir, "secrets", "sb-sec.json"))).mode & 0o777, 0o600);
    assert.ok(!(await readFile(join(dir, "sandboxes", "sb-sec.json"), "utf8")).includes("tok"));
    await store.delete("sb-sec");
    await store.delete("sb-sec");
    await assert.rejects(store.get("sb-sec"));
    assert.deepEqual(await store.getSecrets("sb-sec"), {});
  });

  it("keeps create intents until they end, with the resources noted so far", async () => {
    await store.beginIntent(newIntent("sb-half", { netns: "sb-half", disk: "/d/sb-half.ext4" }));
    await store.noteIntent("sb-half", { vmmPid: 1234 });
    await store.beginIntent(newIntent("sb-done"));
    await store.endIntent("sb-done");
    const { items } = await store.listIntents();
    assert.deepEqual(
      items.map((i) => [i.id, i.resources]),
      [["sb-half", { netns: "sb-half", disk: "/d/sb-half.ext4", vmmPid: 1234 }]],
    );
    await assert.rejects(
      store.noteIntent("sb-done", {}),
      (e: unknown) => (e as StateError).code === "not_found",
    );
    await store.delete("sb-half");
    assert.deepEqual((await store.listIntents()).items, []);
  });
});
