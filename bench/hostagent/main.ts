// bench/hostagent: the host agent with real QEMU sandboxes, driven through hostagent.v1 — create from
// the template snapshot vs cold boot, N concurrent creates, agent RSS per sandbox, exec overhead.
// Everything runs in network namespaces this script creates (and deletes): a "host" and an "internet".
// Usage: node --expose-gc --import tsx bench/hostagent/main.ts [runs=3] [concurrency=5]   (root; `make images`)
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { openAgent } from "../../src/hostagent/agent.js";
import { CgroupManager } from "../../src/hostagent/cgroups/index.js";
import { parseConfig } from "../../src/hostagent/config/index.js";
import { createTestNet } from "../../src/hostagent/network/testnet.test-helper.js";
import { createHostAgentServer } from "../../src/hostagent/service/index.js";
import { HostAgent } from "../../src/shared/gen/hostagent/v1/hostagent_pb.js";
import { fmt, median, table } from "../stats.js";

const BUILD = resolve(import.meta.dirname, "../../images/build");
const runs = Number(process.argv[2] ?? 3);
const N = Number(process.argv[3] ?? 5);
const EXECS = 30;
const TOKEN = "bench-agent-token-0123456789";

async function main(): Promise<void> {
  for (const f of ["kernel/vmlinuz", "initramfs.cpio.gz", "minimal/rootfs.ext4"]) {
    if (!existsSync(join(BUILD, f))) throw new Error(`${join(BUILD, f)} is missing: run make images`);
  }
  const net = await createTestNet();
  const stateDir = await mkdtemp("/tmp/wrenn-bench-ha-");
  const parent = `wrenn-${net.prefix}`;
  const cfg = parseConfig({
    WRENN_AGENT_TOKEN: TOKEN,
    WRENN_STATE_DIR: stateDir,
    WRENN_IMAGES_DIR: BUILD,
    WRENN_HOST_NETNS: net.hostNs,
    WRENN_NETNS_PREFIX: net.prefix,
    WRENN_CGROUP_PARENT: parent,
    WRENN_HOST_VCPUS: String(N * 2),
    WRENN_SANDBOX_DISK_MIB: "256",
  });
  const agent = await openAgent(cfg);
  const server = createHostAgentServer({ manager: agent.manager, token: TOKEN, defaults: cfg.defaults });
  const port = await server.listen(0, "127.0.0.1");
  const a = createClient(
    HostAgent,
    createConnectTransport({
      baseUrl: `http://127.0.0.1:${port}`,
      httpVersion: "2",
      interceptors: [
        (next) => (req) => {
          req.header.set("authorization", `Bearer ${TOKEN}`);
          return next(req);
        },
      ],
    }),
  );
  let seq = 0;
  const id = () => `sb-be${(seq++).toString(16).padStart(6, "0")}`;
  const create = async (coldBoot: boolean) => {
    const t = performance.now();
    const r = await a.create({ id: id(), template: "minimal", coldBoot });
    return { id: r.sandbox?.id as string, ms: performance.now() - t };
  };
  const cold: number[] = [];
  const warm: number[] = [];
  const all: number[] = [];
  const rssPer: number[] = [];
  const viaAgent: number[] = [];
  const direct: number[] = [];
  const st = await agent.manager.status();
  try {
    const first = await create(false); // builds the template snapshot
    console.log(`first create (template build + restore): ${fmt(first.ms, 0)} ms`);
    await a.destroy({ id: first.id });
    for (let i = 0; i < runs; i++) {
      const c = await create(true);
      cold.push(c.ms);
      await a.destroy({ id: c.id });
      const w = await create(false);
      warm.push(w.ms);
      await a.destroy({ id: w.id });
    }
    for (let i = 0; i < runs; i++) {
      const rss0 = rss();
      const t = performance.now();
      const rs = await Promise.all(Array.from({ length: N }, () => create(false)));
      all.push(performance.now() - t);
      rssPer.push((rss() - rss0) / N);
      const target = rs[0]?.id as string;
      if (i === 0) await execOnce(a, target); // warm connections
      for (let k = 0; k < EXECS; k++) {
        let t1 = performance.now();
        await execOnce(a, target);
        viaAgent.push(performance.now() - t1);
        t1 = performance.now();
        const r = await agent.manager.envd(target).run("true");
        if (r.exitCode !== 0) throw new Error("direct exec failed");
        direct.push(performance.now() - t1);
      }
      await Promise.all(rs.map((r) => a.destroy({ id: r.id })));
    }
  } finally {
    await server.close();
    for (const s of agent.manager.list()) await agent.manager.destroy(s.id).catch(() => {});
    await agent.detach();
    const cg = await CgroupManager.open({ parent });
    await cg.removeParent().catch(() => {});
    await net.cleanup();
    await rm(stateDir, { recursive: true, force: true });
  }
  console.log(
    `host agent, QEMU microvm accel=${st.accelerator}, minimal template, 1 vCPU / 256 MiB, ${runs} runs (medians):`,
  );
  console.log(
    table(
      ["measure", "median", "min", "max"],
      [
        row("create, cold boot (ms)", cold),
        row("create, template snapshot (ms)", warm),
        row(`${N} concurrent creates, all ready (ms)`, all),
        row(
          "agent RSS growth per sandbox (MiB)",
          rssPer.map((b) => b / 2 ** 20),
          1,
        ),
        row("exec `true` via agent Exec (ms)", viaAgent, 1),
        row("exec `true` direct to envd (ms)", direct, 1),
      ],
    ),
  );
  console.log(
    `template snapshot create is ${fmt(median(cold) / median(warm), 1)}× faster than cold boot; ` +
      `agent exec overhead ${fmt(median(viaAgent) / median(direct), 2)}× direct envd`,
  );
}

/** rss is this process's resident set (agent + bench client) after a GC when --expose-gc is on. */
function rss(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss;
}

function row(name: string, xs: number[], digits = 0): string[] {
  return [name, fmt(median(xs), digits), fmt(Math.min(...xs), digits), fmt(Math.max(...xs), digits)];
}

async function execOnce(a: ReturnType<typeof createClient<typeof HostAgent>>, id: string): Promise<void> {
  for await (const r of a.exec({ id, cmd: "true" })) {
    if (r.event.case === "exit" && r.event.value.exitCode !== 0) throw new Error("exec via agent failed");
  }
}

await main();
