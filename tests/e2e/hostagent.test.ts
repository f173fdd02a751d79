// Real-VM end-to-end test of the host agent: QEMU microvm sandboxes of the `minimal` template
// (`make images`), driven through hostagent.v1. NETWORK SAFETY: the agent's "host" is a netns this
// test creates (WRENN_HOST_NETNS), "the internet" another one; both are deleted afterwards.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Code, ConnectError } from "@connectrpc/connect";
import { type OpenAgent, openAgent } from "../../src/hostagent/agent.js";
import { CgroupManager } from "../../src/hostagent/cgroups/index.js";
import { parseConfig } from "../../src/hostagent/config/index.js";
import { TAP_IP } from "../../src/hostagent/network/index.js";
import {
  AGENT_PORT,
  createTestNet,
  sh as hostSh,
  INET_IP,
  INET_PORT,
  type TestNet,
  UPLINK_IP,
} from "../../src/hostagent/network/testnet.test-helper.js";
import { createHostAgentServer, type HostAgentServer } from "../../src/hostagent/service/index.js";
import { type Sandbox, SandboxState } from "../../src/shared/gen/hostagent/v1/hostagent_pb.js";
import {
  type Agent,
  agentClient,
  type ChildAgent,
  httpGet,
  killAll,
  procsMentioning,
  sh,
  startChildAgent,
} from "./hostagent-harness.js";

const BUILD = resolve(import.meta.dirname, "../../images/build");
const missing = ["kernel/vmlinuz", "initramfs.cpio.gz", "minimal/rootfs.ext4", "minimal/template.json"]
  .map((f) => join(BUILD, f))
  .filter((f) => !existsSync(f));
const TOKEN = "e2e-agent-token-0123456789";
const cmdlines = async (pids: number[]) =>
  (await Promise.all(pids.map((p) => readFile(`/proc/${p}/cmdline`, "utf8").catch(() => "")))).join(" ; ");
const rpcCode = (code: Code, re?: RegExp) => (e: unknown) => {
  const ce = ConnectError.from(e);
  assert.equal(Code[ce.code], Code[code], ce.message);
  if (re) assert.match(ce.rawMessage, re);
  return true;
};
const hostIpOf = (sb: Sandbox) => sb.guestIp.replace(/\d+$/, (o) => String(Number(o) - 1));

describe("host agent end to end (real QEMU VMs)", {
  skip: missing.length ? `missing ${missing.join(", ")}: run make images` : false,
}, () => {
  let net: TestNet;
  let stateDir: string;
  let env: Record<string, string>;
  let agent: OpenAgent | undefined;
  let server: HostAgentServer | undefined;
  let child: ChildAgent | undefined;
  let a: Agent;
  const events: Array<{ id: string; kind: string; to?: SandboxState; reason?: string }> = [];
  const watch = new AbortController();
  const sb: Record<string, Sandbox> = {};
  const mounts: string[] = [];

  const ourNetns = async () =>
    (await hostSh("ip", "netns", "list"))
      .split("\n")
      .map((l) => l.split(" ")[0] ?? "")
      .filter((n) => n.startsWith(`${net.prefix}-`));
  const cgroupDir = (id: string) => `/sys/fs/cgroup/memory/${env.WRENN_CGROUP_PARENT}/${id}`;
  const create = (id: string, extra: Record<string, unknown> = {}) =>
    a.create({ id, template: "minimal", env: { WRENN_E2E: id }, ...extra });

  before(async () => {
    net = await createTestNet();
    stateDir = await mkdtemp("/tmp/wrenn-ha-e2e-");
    env = {
      WRENN_AGENT_TOKEN: TOKEN,
      WRENN_AGENT_LISTEN: "127.0.0.1:0",
      WRENN_AGENT_METRICS_LISTEN: "127.0.0.1:0",
      WRENN_STATE_DIR: stateDir,
      WRENN_IMAGES_DIR: BUILD,
      WRENN_HOST_NETNS: net.hostNs,
      WRENN_NETNS_PREFIX: net.prefix,
      WRENN_NETWORK_POOL: "2",
      WRENN_CGROUP_PARENT: `wrenn-${net.prefix}`,
      WRENN_HOST_VCPUS: "12",
      WRENN_HOST_MEMORY_MIB: "8192",
      WRENN_SANDBOX_DISK_MIB: "256",
    };
    const cfg = parseConfig(env);
    agent = await openAgent(cfg);
    server = createHostAgentServer({ manager: agent.manager, token: TOKEN, defaults: cfg.defaults });
    a = agentClient(`http://127.0.0.1:${await server.listen(0, "127.0.0.1")}`, TOKEN);
    void (async () => {
      for await (const e of a.watchEvents({}, { signal: watch.signal })) {
        const ev = e.event;
        if (ev.case === "stateChanged")
          events.push({ id: e.sandboxId, kind: "state", to: ev.value.to, reason: ev.value.reason });
        else events.push({ id: e.sandboxId, kind: ev.case ?? "?" });
      }
    })().catch(() => {});
  });

  after(async () => {
    watch.abort();
    for (const m of mounts) await hostSh("umount", m).catch(() => {});
    if (child && child.proc.exitCode === null) child.proc.kill("SIGKILL");
    await server?.close();
    if (agent) {
      for (const s of agent.manager.list()) await agent.manager.destroy(s.id).catch(() => {});
      await agent.detach().catch(() => {});
    }
    killAll(await procsMentioning(stateDir));
    const cg = await CgroupManager.open({ parent: env.WRENN_CGROUP_PARENT });
    for (const id of await cg.list()) await (await cg.get(id)).destroy().catch(() => {});
    await cg.removeParent().catch(() => {});
    await net.cleanup();
    await rm(stateDir, { recursive: true, force: true });
  });

  it("rejects unauthenticated calls", async () => {
    await assert.rejects(agentClient(serverBase()).list({}), rpcCode(Code.Unauthenticated));
    await assert.rejects(
      agentClient(serverBase(), "wrong-token-wrong-token").list({}),
      rpcCode(Code.Unauthenticated),
    );
  });

  function serverBase(): string {
    const addr = server?.server.address();
    return `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  }

  it("builds one template snapshot for concurrent first creates, then restores it faster", async () => {
    const [r1, r2] = await Promise.all([create("sb-0000000a"), create("sb-0000000b")]);
    const r3 = await create("sb-0000000c");
    for (const r of [r1, r2, r3]) {
      assert.equal(r.sandbox?.state, SandboxState.RUNNING);
      assert.equal(r.sandbox?.startMethod, "template-snapshot");
      sb[r.sandbox?.id as string] = r.sandbox as Sandbox;
    }
    console.log(
      `first creates (incl. template build): ${r1.readyMs} / ${r2.readyMs} ms; later: ${r3.readyMs} ms`,
    );
    assert.ok(r3.readyMs < Math.min(r1.readyMs, r2.readyMs), "a restore beats the first create");
    const keys = await readdir(join(stateDir, "templates/minimal"));
    assert.equal(keys.length, 1, `one shared template build: ${keys}`);
    assert.ok(existsSync(join(stateDir, "templates/minimal", keys[0] as string, "memory.bin")));
  });

  it("cold boots on request", async () => {
    const r = await create("sb-0000000d", { coldBoot: true });
    assert.equal(r.sandbox?.startMethod, "boot");
    console.log(`cold boot create: ${r.readyMs} ms`);
    assert.match((await sh(a, "sb-0000000d", "hostname")).out, /sb-0000000d/);
    await a.destroy({ id: "sb-0000000d" });
  });

  it("gives each clone its identity and runs commands", async () => {
    const r = await sh(a, "sb-0000000a", "uname -a; hostname; echo env=$WRENN_E2E; id -un");
    assert.equal(r.code, 0);
    assert.match(r.out, /^Linux sb-0000000a .*x86_64/);
    assert.match(r.out, /env=sb-0000000a/);
    assert.match(r.out, /\nuser\n/);
    const rb = await sh(a, "sb-0000000b", "hostname; head -c 16 /dev/urandom | od -An -tx1");
    const ra = await sh(a, "sb-0000000a", "head -c 16 /dev/urandom | od -An -tx1");
    assert.match(rb.out, /sb-0000000b/);
    const procs = await readFile(join(cgroupDir("sb-0000000a"), "cgroup.procs"), "utf8");
    const vm = JSON.parse(await readFile(join(stateDir, "sandboxes/sb-0000000a/vm/vm.json"), "utf8"));
    assert.ok(procs.split("\n").includes(String(vm.handle.pid)), "the VMM runs in the sandbox cgroup");
    assert.notEqual(ra.out, rb.out.split("\n").slice(1).join("\n"));
  });

  it("lets a guest reach the internet through NAT only", async () => {
    const A = sb["sb-0000000a"] as Sandbox;
    const B = sb["sb-0000000b"] as Sandbox;
    assert.equal(await httpGet(a, A.id, INET_IP, INET_PORT), `inet ${UPLINK_IP}`);
    const blocked = await Promise.all([
      httpGet(a, A.id, hostIpOf(A), AGENT_PORT),
      httpGet(a, A.id, UPLINK_IP, AGENT_PORT),
      httpGet(a, A.id, TAP_IP, AGENT_PORT),
      httpGet(a, A.id, B.guestIp, 49983),
      httpGet(a, A.id, hostIpOf(B), AGENT_PORT),
    ]);
    assert.deepEqual(blocked, ["ERR", "ERR", "ERR", "ERR", "ERR"]);
    // the host side still reaches envd at the sandbox address (what the agent dials)
    assert.match(await net.probe(net.hostNs, A.guestIp, 49983), /^(?!ERR)/);
  });

  it("runs 5 concurrent creates with distinct addresses", async () => {
    const ids = [1, 2, 3, 4, 5].map((i) => `sb-1000000${i}`);
    const t0 = Date.now();
    const rs = await Promise.all(ids.map((id) => create(id)));
    console.log(`5 concurrent creates: all ready after ${Date.now() - t0} ms`);
    const ips = new Set([...rs.map((r) => r.sandbox?.guestIp), ...Object.values(sb).map((s) => s.guestIp)]);
    assert.equal(ips.size, 5 + Object.keys(sb).length);
    const outs = await Promise.all(ids.map((id) => sh(a, id, "hostname")));
    assert.deepEqual(
      outs.map((o) => o.out.trim()),
      ids,
    );
    await Promise.all(ids.map((id) => a.destroy({ id })));
  });

  it("keeps a sandbox running when its snapshot does not fit on disk", async () => {
    const id = "sb-0000000a";
    const snapDir = join(stateDir, "sandboxes", id, "snapshot");
    await mkdir(snapDir, { recursive: true });
    await hostSh("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", snapDir);
    mounts.push(snapDir);
    try {
      await assert.rejects(a.pause({ id }), rpcCode(Code.ResourceExhausted, /disk full.*keeps running/));
    } finally {
      await hostSh("umount", snapDir);
      mounts.pop();
    }
    assert.equal((await a.get({ id })).sandbox?.state, SandboxState.RUNNING);
    assert.equal((await sh(a, id, "echo alive")).out, "alive\n");
  });

  it("pauses and resumes with a running process and files intact", async () => {
    const id = "sb-0000000b";
    await sh(
      a,
      id,
      "echo kept > /home/user/keep.txt; setsid sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/counter; sleep 0.2; done' </dev/null >/dev/null 2>&1 &",
    );
    await sleep(800);
    const before = Number((await sh(a, id, "cat /tmp/counter")).out);
    assert.ok(before > 0);
    const p = await a.pause({ id });
    assert.equal(p.sandbox?.state, SandboxState.PAUSED);
    assert.ok(p.snapshotBytes > 0n);
    await assert.rejects(sh(a, id, "true"), rpcCode(Code.FailedPrecondition));
    await assert.rejects(a.pause({ id }), rpcCode(Code.FailedPrecondition));
    const r = await a.resume({ id });
    console.log(`pause: snapshot ${p.snapshotBytes} bytes; resume: ${r.readyMs} ms`);
    assert.equal(r.sandbox?.startMethod, "resume");
    const after1 = Number((await sh(a, id, "cat /tmp/counter")).out);
    assert.ok(after1 >= before, `${before} → ${after1}`);
    await sleep(700);
    assert.ok(Number((await sh(a, id, "cat /tmp/counter")).out) > after1, "the process kept running");
    assert.equal((await sh(a, id, "cat /home/user/keep.txt")).out, "kept\n");
    const skew = Number((await sh(a, id, "date +%s")).out) - Date.now() / 1000;
    assert.ok(Math.abs(skew) < 5, `guest clock set by /init (skew ${skew} s)`);
  });

  it("reports a VMM that dies as error with a reason", async () => {
    const id = "sb-0000000c";
    killAll(await procsMentioning(join(stateDir, "sandboxes", id, "rootfs")));
    for (let i = 0; i < 40 && (await a.get({ id })).sandbox?.state !== SandboxState.ERROR; i++)
      await sleep(100);
    const s = (await a.get({ id })).sandbox;
    assert.equal(s?.state, SandboxState.ERROR);
    assert.match(s?.error ?? "", /VMM exited/);
    assert.ok(events.some((e) => e.id === id && e.kind === "exited"));
    assert.ok(events.some((e) => e.id === id && e.to === SandboxState.ERROR));
    assert.ok(events.some((e) => e.id === "sb-0000000a" && e.to === SandboxState.RUNNING));
  });

  it("rejects bad creates precisely and creates nothing", async () => {
    const netnsBefore = (await ourNetns()).sort();
    const listBefore = (await a.list({})).sandboxes.length;
    await assert.rejects(create("sb-0000000e", { template: "nope" }), rpcCode(Code.NotFound, /make images/));
    await assert.rejects(
      create("sb-0000000e", { egress: { allowCidrs: ["10.0.0.0/33"] } }),
      rpcCode(Code.InvalidArgument, /10\.0\.0\.0\/33/),
    );
    await assert.rejects(create("sb-0000000e", { vcpus: 32 }), rpcCode(Code.ResourceExhausted, /vCPUs/));
    await assert.rejects(
      create("sb-0000000e", { memoryMib: 100_000 }),
      rpcCode(Code.ResourceExhausted, /memory/),
    );
    await assert.rejects(create("sb-0000000a"), rpcCode(Code.AlreadyExists));
    await agent?.network.idle();
    assert.deepEqual((await ourNetns()).sort(), netnsBefore);
    assert.equal((await a.list({})).sandboxes.length, listBefore);
    assert.ok(!existsSync(join(stateDir, "sandboxes", "sb-0000000e")));
    assert.deepEqual(await readdir(join(stateDir, "intents")), []);
    const st = await a.hostStatus({});
    assert.equal(st.accelerator.length > 0 && st.templates.includes("minimal"), true);
  });

  it("destroys everything a sandbox held", async () => {
    const id = "sb-0000000c";
    const s = (await a.get({ id })).sandbox as Sandbox;
    await a.destroy({ id });
    await assert.rejects(a.get({ id }), rpcCode(Code.NotFound));
    await assert.rejects(a.destroy({ id }), rpcCode(Code.NotFound));
    assert.ok(!existsSync(join(stateDir, "sandboxes", id)));
    assert.ok(!existsSync(join(stateDir, "sandboxes", `${id}.json`)));
    assert.ok(!existsSync(cgroupDir(id)));
    assert.deepEqual(await procsMentioning(join(stateDir, "sandboxes", id)), []);
    const links = await hostSh("ip", "-n", net.hostNs, "-o", "addr");
    assert.ok(!links.includes(`${hostIpOf(s)}/30`), "host veth removed");
  });

  it("survives kill -9: re-adopts VMs and removes a half-done create", async () => {
    // Hand over to a child agent on the same state directory (VMs keep running across agents).
    await server?.close();
    server = undefined;
    await agent?.detach();
    agent = undefined;
    child = await startChildAgent(env);
    a = agentClient(child.base, TOKEN);
    assert.match((await sh(a, "sb-0000000a", "echo $WRENN_E2E")).out, /sb-0000000a/);

    // A create in flight when the agent is killed.
    const half = "sb-0000000f";
    void create(half, { coldBoot: true }).catch(() => {});
    const intent = join(stateDir, "intents", `${half}.json`);
    let vmPid = 0;
    for (let i = 0; i < 200 && !vmPid; i++) {
      await sleep(50);
      vmPid = Number(JSON.parse(await readFile(intent, "utf8").catch(() => "{}")).resources?.vmPid ?? 0);
    }
    assert.ok(vmPid > 0, "the create started a VMM");
    child.proc.kill("SIGKILL");
    await child.exited;
    // While no agent runs, B's VMM dies.
    killAll(await procsMentioning(join(stateDir, "sandboxes", "sb-0000000b", "rootfs")));
    assert.ok(existsSync(`/proc/${vmPid}`), "the half-done create's VMM outlived the agent");

    // A template snapshot from an older image: start-up drops it, the current one stays.
    const stale = join(stateDir, "templates/minimal/0123456789abcdef");
    await mkdir(stale);
    await writeFile(join(stale, "shape.json"), JSON.stringify({ vcpus: 1, memMiB: 256, diskMiB: 256 }));

    child = await startChildAgent(env);
    a = agentClient(child.base, TOKEN);
    const rec = child.logs.find((l) => l.msg === "recovered") as Record<string, string[]>;
    const why = JSON.stringify(child.logs);
    assert.deepEqual(rec.templateBuildsRemoved, [stale], why);
    assert.equal((await readdir(join(stateDir, "templates/minimal"))).length, 1);
    assert.deepEqual(rec.intentsCleaned, [half], why);
    assert.deepEqual(rec.adopted, ["sb-0000000a"], why);
    assert.deepEqual(rec.lost, ["sb-0000000b"], why);
    assert.ok(
      !existsSync(`/proc/${vmPid}`) || (await readFile(`/proc/${vmPid}/stat`, "utf8")).includes(") Z"),
    );
    assert.ok(!existsSync(join(stateDir, "sandboxes", half)) && !existsSync(intent));
    assert.ok(!existsSync(cgroupDir(half)));
    await assert.rejects(a.get({ id: half }), rpcCode(Code.NotFound));
    assert.match((await sh(a, "sb-0000000a", "uname -n")).out, /sb-0000000a/);
    const listening = child.logs.find((l) => l.msg === "listening") as { metrics: string };
    const metrics = await (await fetch(listening.metrics)).text();
    assert.match(metrics, /wrenn_sandboxes\{state="running"\} 1/);
    assert.match(metrics, /wrenn_sandbox_memory_bytes\{sandbox="sb-0000000a"\} [1-9]/);
    const b = (await a.get({ id: "sb-0000000b" })).sandbox;
    assert.equal(b?.state, SandboxState.ERROR);
    assert.match(b?.error ?? "", /while the agent was down/);

    for (const s of (await a.list({})).sandboxes) await a.destroy({ id: s.id });
    child.proc.kill("SIGTERM");
    assert.equal(await child.exited, 0);
    const left = await procsMentioning(stateDir);
    assert.deepEqual(left, [], `no QEMU or forwarder left: ${await cmdlines(left)}`);
    await sleep(200);
    assert.deepEqual(await ourNetns(), [], "no sandbox netns left (pool slots included)");
  });
});
