import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fakeV2Fs } from "./fakefs.test-helper.js";
import { CgroupError, CgroupManager, detectCgroups } from "./index.js";

// FAKE v2: this host has no v2 controllers, so the v2 file-writing logic runs against a fake tree.
describe("CgroupManager v2 file logic (fake cgroup2 tree)", () => {
  let dir: string;
  let root: string;
  let mounts: string;
  const PID = 4_194_399; // above PID_MAX_LIMIT: can never be a real process
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "wrenn-cg2-"));
    root = join(dir, "cgroup");
    await mkdir(root);
    await writeFile(join(root, "cgroup.controllers"), "cpuset cpu io memory pids\n");
    await writeFile(join(root, "cgroup.subtree_control"), "io");
    await writeFile(join(root, "cgroup.procs"), "");
    mounts = join(dir, "mounts");
    await writeFile(mounts, `cgroup2 ${root} cgroup2 rw,nosuid 0 0\ncgroup /x/memory cgroup rw,memory 0 0\n`);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const rd = (...p: string[]) => readFile(join(root, ...p), "utf8");

  it("prefers a cgroup2 mount that offers cpu, memory and pids", async () => {
    assert.deepEqual(await detectCgroups(mounts), { version: 2, root });
  });

  it("enables the controllers down to a nested parent", async () => {
    const m = await CgroupManager.open({ fs: fakeV2Fs(), parent: "wrenn.slice/agent" }, mounts);
    assert.equal(m.version, 2);
    assert.equal(await rd("cgroup.subtree_control"), "io cpu memory pids");
    assert.equal(await rd("wrenn.slice", "cgroup.subtree_control"), "cpu memory pids");
    assert.equal(await rd("wrenn.slice", "agent", "cgroup.subtree_control"), "cpu memory pids");
  });

  it("writes cpu.max, memory.max, memory.swap.max and pids.max, and reads usage", async () => {
    const m = await CgroupManager.open({ fs: fakeV2Fs(), overheadMiB: 32 }, mounts);
    const g = await m.create("sb-1", { vcpus: 1.5, memMiB: 256, pids: 100 });
    assert.equal(await rd("wrenn", "sb-1", "cpu.max"), "150000 100000");
    assert.equal(await rd("wrenn", "sb-1", "memory.max"), String(288 * 2 ** 20));
    assert.equal(await rd("wrenn", "sb-1", "memory.swap.max"), "0");
    assert.equal(await rd("wrenn", "sb-1", "pids.max"), "100");
    await g.addProcess(PID);
    assert.equal(await rd("wrenn", "sb-1", "cgroup.procs"), String(PID));
    // what the kernel would report after some work
    await writeFile(join(root, "wrenn", "sb-1", "cpu.stat"), "usage_usec 2500000\nuser_usec 2000000\n");
    await writeFile(join(root, "wrenn", "sb-1", "memory.current"), "123456\n");
    await writeFile(join(root, "wrenn", "sb-1", "memory.events"), "low 0\nmax 3\noom 2\noom_kill 2\n");
    await writeFile(join(root, "wrenn", "sb-1", "pids.current"), "5\n");
    assert.deepEqual(await g.usage(), { cpuSeconds: 2.5, memoryBytes: 123456, oomKills: 2, pids: 5 });
    assert.deepEqual(await m.list(), ["sb-1"]);
  });

  it("destroys through cgroup.kill and removes the group", async () => {
    const m = await CgroupManager.open({ fs: fakeV2Fs() }, mounts);
    const g = await m.get("sb-1");
    await g.destroy({ timeoutMs: 500 });
    assert.deepEqual(await m.list(), []);
    await assert.rejects(m.get("sb-1"), (e: unknown) => e instanceof CgroupError && e.code === "not_found");
  });

  it("reports busy when processes do not leave", async () => {
    const fs = fakeV2Fs();
    const m = await CgroupManager.open(
      { fs: { ...fs, exists: async (p) => !p.endsWith("cgroup.kill") && fs.exists(p) } },
      mounts,
    );
    const g = await m.create("sb-stuck", { vcpus: 1, memMiB: 64 });
    await g.addProcess(PID); // the fake never drops it: no cgroup.kill and SIGKILL finds no such pid
    await assert.rejects(g.destroy({ timeoutMs: 100 }), (e: unknown) => (e as CgroupError).code === "busy");
    await writeFile(join(root, "wrenn", "sb-stuck", "cgroup.procs"), "");
    await g.destroy();
  });

  it("falls back to v1 when the cgroup2 mount has no controllers (hybrid hosts)", async () => {
    const hybrid = join(dir, "hybrid");
    await mkdir(join(dir, "empty"));
    await writeFile(join(dir, "empty", "cgroup.controllers"), "hugetlb\n");
    const lines = ["cpu", "cpuacct", "memory", "pids"].map(
      (c) => `cgroup /sys/fs/cgroup/${c} cgroup rw,${c} 0 0`,
    );
    await writeFile(hybrid, [`cgroup2 ${join(dir, "empty")} cgroup2 rw 0 0`, ...lines, ""].join("\n"));
    const l = await detectCgroups(hybrid);
    assert.equal(l.version, 1);
    await writeFile(hybrid, "proc /proc proc rw 0 0\n");
    await assert.rejects(detectCgroups(hybrid), (e: unknown) => (e as CgroupError).code === "unsupported");
  });
});
