// bench/api: the control plane's REST API end to end. (1) GET /v1/sandboxes/{id} requests/s and p99 on
// loopback (autocannon) — auth (key lookup), Redis rate limit and one Postgres read per request;
// (2) exec latency of `true` through the whole stack (HTTP → control plane → agent → envd) vs the
// agent's Exec vs directly to envd. Medians of ≥3 runs. The control plane runs as a child process
// (its own event loop), on a throwaway Postgres 15 + Redis; the agent's "host" is a netns this script
// creates and deletes. Usage: node --import tsx bench/api/main.ts [runs=3] [seconds=5] [connections=10]

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { openAgent } from "../../src/hostagent/agent.js";
import { CgroupManager } from "../../src/hostagent/cgroups/index.js";
import { parseConfig } from "../../src/hostagent/config/index.js";
import { createTestNet } from "../../src/hostagent/network/testnet.test-helper.js";
import { createHostAgentServer } from "../../src/hostagent/service/index.js";
import { randomHex } from "../../src/shared/id/index.js";
import { freePort, startPostgres, startRedis } from "../../src/shared/testing/index.js";
import { Api, startControlPlaneChild } from "../../tests/e2e/controlplane-harness.js";
import { agentClient } from "../../tests/e2e/hostagent-harness.js";
import { fmt, median, percentile, table } from "../stats.js";

const BUILD = resolve(import.meta.dirname, "../../images/build");
const runs = Math.max(3, Number(process.argv[2] ?? 3));
const seconds = Number(process.argv[3] ?? 5);
const connections = Number(process.argv[4] ?? 10);
const EXECS = 30;
// The default sandbox size: under TCG the agent bounds QEMU's code cache and budgets it in the cgroup.
const GUEST_MIB = 256;
const TOKEN = `bench-api-agent-${randomHex(8)}`;
const KEY = `wrn_${randomHex(16)}`;

const run = promisify(execFile);
const AUTOCANNON = createRequire(import.meta.url).resolve("autocannon/autocannon.js");

/**
 * load runs autocannon in its own process (-j: JSON result), so the load generator does not share an
 * event loop with this script's in-process host agent.
 */
async function load(url: string, key: string, secs = seconds): Promise<{ rps: number; p99: number }> {
  const args = [
    AUTOCANNON,
    "-j",
    "-c",
    String(connections),
    "-d",
    String(secs),
    "-H",
    `x-api-key=${key}`,
    url,
  ];
  const { stdout } = await run(process.execPath, args, { maxBuffer: 16 << 20 });
  const r = JSON.parse(stdout) as {
    non2xx: number;
    errors: number;
    requests: { average: number };
    latency: { p99: number };
  };
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`GET run had ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, p99: r.latency.p99 };
}

/** timeIt measures one call in milliseconds. */
async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function main(): Promise<void> {
  for (const f of ["kernel/vmlinuz", "initramfs.cpio.gz", "minimal/rootfs.ext4"]) {
    if (!existsSync(join(BUILD, f))) throw new Error(`${join(BUILD, f)} is missing: run make images`);
  }
  const net = await createTestNet();
  const stateDir = await mkdtemp("/tmp/wrenn-bench-api-");
  const parent = `wrenn-${net.prefix}`;
  const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  const cfg = parseConfig({
    WRENN_AGENT_TOKEN: TOKEN,
    WRENN_STATE_DIR: stateDir,
    WRENN_IMAGES_DIR: BUILD,
    WRENN_HOST_NETNS: net.hostNs,
    WRENN_NETNS_PREFIX: net.prefix,
    WRENN_CGROUP_PARENT: parent,
    WRENN_NETWORK_POOL: "1",
    WRENN_SANDBOX_DISK_MIB: "256",
  });
  const agent = await openAgent(cfg);
  const server = createHostAgentServer({ manager: agent.manager, token: TOKEN, defaults: cfg.defaults });
  const agentAddr = `127.0.0.1:${await server.listen(0, "127.0.0.1")}`;
  const a = agentClient(`http://${agentAddr}`, TOKEN);
  const cp = await startControlPlaneChild({
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    WRENN_LISTEN: `127.0.0.1:${await freePort()}`,
    WRENN_AGENTS: agentAddr,
    WRENN_AGENT_TOKEN: TOKEN,
    WRENN_API_KEY: KEY,
    WRENN_RATE_LIMIT_BURST: "1000000",
    WRENN_RATE_LIMIT_PER_SEC: "1000000",
    WRENN_SANDBOX_DISK_MIB: "256",
  });
  const api = new Api(cp.url, KEY);
  const rps: number[] = [];
  const p99: number[] = [];
  const viaApi: number[] = [];
  const viaAgent: number[] = [];
  const direct: number[] = [];
  let accel = "?";
  try {
    accel = (await a.hostStatus({})).accelerator;
    const created = await api.call("POST", "/v1/sandboxes", {
      template: "minimal",
      timeout_s: 3600,
      memory_mib: GUEST_MIB,
    });
    if (created.status !== 201) throw new Error(`create failed: ${JSON.stringify(created.json)}`);
    const id = created.json.id as string;
    const envd = agent.manager.envd(id);
    for (let i = 0; i < 3; i++) await api.exec(id, "true"); // warm every connection on the path
    await load(`${cp.url}/v1/sandboxes/${id}`, KEY, 2); // JIT warm-up, discarded
    for (let r = 0; r < runs; r++) {
      const res = await load(`${cp.url}/v1/sandboxes/${id}`, KEY);
      rps.push(res.rps);
      p99.push(res.p99);
      const runApi: number[] = [];
      const runAgent: number[] = [];
      const runDirect: number[] = [];
      for (let k = 0; k < EXECS; k++) {
        runAgent.push(
          await timeIt(async () => {
            for await (const _ of a.exec({ id, cmd: "/bin/true" })) void _;
          }),
        );
        runApi.push(
          await timeIt(async () => {
            const e = await api.call("POST", `/v1/sandboxes/${id}/exec`, { cmd: "/bin/true", args: [] });
            if (e.status !== 200 || e.json.exit_code !== 0)
              throw new Error(`API exec: ${JSON.stringify(e.json)}`);
          }),
        );
        runDirect.push(
          await timeIt(async () => {
            if ((await envd.run("/bin/true")).exitCode !== 0) throw new Error("direct exec failed");
          }),
        );
      }
      viaApi.push(median(runApi));
      viaAgent.push(median(runAgent));
      direct.push(median(runDirect));
      console.log(
        `run ${r + 1}: ${fmt(rps.at(-1) ?? 0, 0)} req/s, p99 ${p99.at(-1)} ms; exec API ${fmt(median(runApi), 1)} ms, ` +
          `agent ${fmt(median(runAgent), 1)} ms, envd ${fmt(median(runDirect), 1)} ms (p95 API ${fmt(percentile(runApi, 95), 1)})`,
      );
    }
    await api.call("DELETE", `/v1/sandboxes/${id}`);
  } finally {
    await cp.stop();
    await server.close();
    for (const s of agent.manager.list()) await agent.manager.destroy(s.id).catch(() => {});
    await agent.detach();
    const cg = await CgroupManager.open({ parent });
    await cg.removeParent().catch(() => {});
    await net.cleanup();
    await Promise.all([pg.stop(), redis.stop()]);
    await rm(stateDir, { recursive: true, force: true });
  }
  const row = (name: string, xs: number[], d = 1) => [
    name,
    fmt(median(xs), d),
    fmt(Math.min(...xs), d),
    fmt(Math.max(...xs), d),
  ];
  console.log(
    `\ncontrol plane REST API on loopback (Postgres 15 + Redis), QEMU accel=${accel}, ${runs} runs ` +
      `(GET: ${connections} connections × ${seconds} s; exec: median of ${EXECS} sequential per run):`,
  );
  console.log(
    table(
      ["measure", "median", "min", "max"],
      [
        row("GET /v1/sandboxes/{id} (req/s)", rps, 0),
        row("GET /v1/sandboxes/{id} p99 (ms)", p99, 0),
        row("exec /bin/true via REST API (ms)", viaApi),
        row("exec /bin/true via agent Exec (ms)", viaAgent),
        row("exec /bin/true direct to envd (ms)", direct),
      ],
    ),
  );
  console.log(
    `exec through the whole stack is ${fmt(median(viaApi) / median(direct), 2)}× direct envd ` +
      `(+${fmt(median(viaApi) - median(direct), 1)} ms); the agent alone ${fmt(median(viaAgent) / median(direct), 2)}×`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
