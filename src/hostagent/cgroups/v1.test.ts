import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { CgroupError, CgroupManager, detectCgroups } from "./index.js";

const layout = await detectCgroups().catch(() => null);
const skip =
  process.getuid?.() !== 0 ? "needs root" : layout?.version !== 1 ? "host is not cgroup v1" : false;

// Real cgroup v1 on this host (hybrid mode). Groups live under a per-run parent and are removed.
describe("CgroupManager on real cgroup v1", { skip }, () => {
  const parent = `wrenn-test-${process.pid}`;
  let m: CgroupManager;
  const children: ChildProcess[] = [];
  const mounts = layout?.version === 1 ? layout.mounts : { cpu: "", cpuacct: "", memory: "", pids: "" };
  const spawnWaiting = (script: string) => {
    // the child waits for a line on stdin, so it runs its load only after joining the group
    const c = spawn("sh", ["-c", `read _; ${script}`], { stdio: ["pipe", "ignore", "ignore"] });
    children.push(c);
    return c;
  };

  before(async () => {
    m = await CgroupManager.open({ parent, overheadMiB: 64 });
  });
  after(async () => {
    for (const c of children) c.kill("SIGKILL");
    for (const id of await m.list()) await (await m.get(id)).destroy();
    await m.removeParent();
    await assert.rejects(access(join(mounts.memory, parent)), "parent removed");
  });

  it("detects v1 with all four controllers", () => {
    assert.equal(m.version, 1);
    assert.ok(mounts.cpu && mounts.cpuacct && mounts.memory && mounts.pids);
  });

  it("writes the limits, moves a process in, reads usage and destroys", async () => {
    const g = await m.create("sb-limits", { vcpus: 2, memMiB: 128, pids: 64 });
    const read = (root: string, file: string) => readFile(join(root, parent, "sb-limits", file), "utf8");
    assert.equal((await read(mounts.cpu, "cpu.cfs_quota_us")).trim(), "200000");
    assert.equal((await read(mounts.cpu, "cpu.cfs_period_us")).trim(), "100000");
    assert.equal(Number(await read(mounts.memory, "memory.limit_in_bytes")), (128 + 64) * 2 ** 20);
    assert.equal((await read(mounts.pids, "pids.max")).trim(), "64");
    assert.deepEqual(await m.list(), ["sb-limits"]);

    const child = spawnWaiting("i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; exec sleep 60");
    const pid = child.pid as number;
    await g.addProcess(pid);
    assert.match(await readFile(`/proc/${pid}/cgroup`, "utf8"), new RegExp(`memory:/${parent}/sb-limits`));
    child.stdin?.end("go\n");
    await sleep(400);
    const u = await g.usage();
    assert.ok(u.cpuSeconds > 0, `cpu ${u.cpuSeconds}`);
    assert.ok(u.memoryBytes > 0);
    assert.equal(u.pids, 1);
    assert.equal(u.oomKills, 0);
    assert.deepEqual(await g.pids(), [pid]);
    assert.ok((await m.usageAll()).has("sb-limits"));

    const exited = once(child, "exit");
    await g.destroy();
    assert.deepEqual(await exited, [null, "SIGKILL"], "stragglers are killed");
    assert.deepEqual(await m.list(), []);
    await g.destroy(); // twice is fine
    await assert.rejects(m.get("sb-limits"), (e: unknown) => (e as CgroupError).code === "not_found");
  });

  it("enforces the memory limit and counts the OOM kill", async () => {
    const g = await m.create("sb-oom", { vcpus: 1, memMiB: 16, pids: 16 });
    await m.create("sb-oom", { vcpus: 1, memMiB: 16, pids: 16 }); // idempotent
    // tail keeps an endless line in memory: far beyond 16 MiB + 64 MiB overhead
    const child = spawnWaiting("head -c 512M /dev/zero | tail -n 1 >/dev/null");
    await g.addProcess(child.pid as number);
    child.stdin?.end("go\n");
    await once(child, "exit");
    const u = await g.usage();
    assert.ok(u.oomKills >= 1, `oom kills ${u.oomKills}`);
    await g.destroy();
  });

  it("rejects bad ids and limits before touching the kernel", async () => {
    const code = (c: string) => (e: unknown) => e instanceof CgroupError && e.code === c;
    await assert.rejects(m.create("../x", { vcpus: 1, memMiB: 64 }), code("invalid_spec"));
    await assert.rejects(m.create("sb-x", { vcpus: 0, memMiB: 64 }), code("invalid_spec"));
    await assert.rejects(m.create("sb-x", { vcpus: 1, memMiB: 1.5 }), code("invalid_spec"));
    const g = await m.create("sb-pid", { vcpus: 1, memMiB: 64 });
    await assert.rejects(g.addProcess(2 ** 22 + 7), code("io_failed"));
    await g.destroy();
    assert.deepEqual(await m.list(), []);
  });
});
