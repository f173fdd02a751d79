// End-to-end test of the control plane: the real REST API (main.ts as a child process) on real
// Postgres 15 and Redis, a real host agent driving QEMU microvm sandboxes of the `minimal` template.
// NETWORK SAFETY: the agent's "host" is a netns this test creates (WRENN_HOST_NETNS); every HTTP call
// goes to loopback; all namespaces are deleted afterwards.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createKey } from "../../src/controlplane/auth/index.js";
import { CgroupManager } from "../../src/hostagent/cgroups/index.js";
import { createTestNet, type TestNet } from "../../src/hostagent/network/testnet.test-helper.js";
import { connectDb, type Pool } from "../../src/shared/db/index.js";
import { randomHex } from "../../src/shared/id/index.js";
import { createTeam } from "../../src/shared/models/index.js";
import { freePort, type RedisServer, startRedis } from "../../src/shared/testing/index.js";
import {
  Api,
  type ControlPlaneChild,
  type StoppablePostgres,
  startControlPlaneChild,
  startStoppablePostgres,
} from "./controlplane-harness.js";
import {
  type Agent,
  agentClient,
  type ChildAgent,
  killAll,
  procsMentioning,
  startChildAgent,
} from "./hostagent-harness.js";

const BUILD = resolve(import.meta.dirname, "../../images/build");
const missing = ["kernel/vmlinuz", "initramfs.cpio.gz", "minimal/rootfs.ext4", "minimal/template.json"]
  .map((f) => join(BUILD, f))
  .filter((f) => !existsSync(f));
const AGENT_TOKEN = `e2e-cp-agent-${randomHex(12)}`;
const KEY = `wrn_${randomHex(16)}`;

describe("control plane end to end (REST → control plane → host agent → QEMU)", {
  skip: missing.length ? `missing ${missing.join(", ")}: run make images` : false,
}, () => {
  let net: TestNet;
  let stateDir: string;
  let pg: StoppablePostgres;
  let redis: RedisServer;
  let sql: Pool;
  let agentProc: ChildAgent;
  let agent: Agent;
  let cp: ControlPlaneChild | undefined;
  let cpEnv: Record<string, string>;
  let api: Api;
  let other: Api;
  let cgroupParent: string;
  let id = "";
  let bgPid = "";

  const startCp = async () => {
    cp = await startControlPlaneChild(cpEnv);
    api = new Api(cp.url, KEY);
    other = new Api(cp.url, other?.key ?? "");
  };

  before(async () => {
    net = await createTestNet();
    stateDir = await mkdtemp("/tmp/wrenn-cp-e2e-");
    cgroupParent = `wrenn-${net.prefix}`;
    [pg, redis] = await Promise.all([startStoppablePostgres(), startRedis()]);
    agentProc = await startChildAgent({
      WRENN_AGENT_TOKEN: AGENT_TOKEN,
      WRENN_AGENT_LISTEN: "127.0.0.1:0",
      WRENN_AGENT_METRICS_LISTEN: "127.0.0.1:0",
      WRENN_HOST_ID: `e2e-${net.prefix}`,
      WRENN_STATE_DIR: stateDir,
      WRENN_IMAGES_DIR: BUILD,
      WRENN_HOST_NETNS: net.hostNs,
      WRENN_NETNS_PREFIX: net.prefix,
      WRENN_NETWORK_POOL: "1",
      WRENN_CGROUP_PARENT: cgroupParent,
      WRENN_HOST_VCPUS: "8",
      WRENN_HOST_MEMORY_MIB: "4096",
      WRENN_SANDBOX_DISK_MIB: "256",
    });
    agent = agentClient(agentProc.base, AGENT_TOKEN);
    cpEnv = {
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      WRENN_LISTEN: `127.0.0.1:${await freePort()}`,
      WRENN_AGENTS: agentProc.base.replace("http://", ""),
      WRENN_AGENT_TOKEN: AGENT_TOKEN,
      WRENN_API_KEY: KEY,
      WRENN_RATE_LIMIT_BURST: "60",
      WRENN_RATE_LIMIT_PER_SEC: "20",
      WRENN_LIFECYCLE_INTERVAL_S: "1",
      WRENN_HEARTBEAT_INTERVAL_S: "1",
      WRENN_HOST_STALE_AFTER_S: "6",
      WRENN_SANDBOX_DISK_MIB: "256",
      WRENN_REPLICA_ID: "e2e",
    };
    await startCp();
    sql = connectDb(pg.url, { max: 2 });
    const team = await createTeam(sql, { name: "other team" });
    other = new Api(api.base, (await createKey(sql, { teamId: team.id, name: "e2e" })).key);
  });

  after(async () => {
    await cp?.stop("SIGKILL");
    await sql?.end({ timeout: 1 }).catch(() => {});
    if (agent) {
      const left = await agent.list({}).catch(() => ({ sandboxes: [] }));
      for (const s of left.sandboxes) await agent.destroy({ id: s.id }).catch(() => {});
    }
    if (agentProc && agentProc.proc.exitCode === null) {
      agentProc.proc.kill("SIGTERM");
      await agentProc.exited;
    }
    if (stateDir) killAll(await procsMentioning(stateDir));
    if (cgroupParent) {
      const cg = await CgroupManager.open({ parent: cgroupParent }).catch(() => null);
      for (const cid of (await cg?.list()) ?? []) await (await cg?.get(cid))?.destroy().catch(() => {});
      await cg?.removeParent().catch(() => {});
    }
    await net?.cleanup();
    await pg?.destroy();
    await redis?.stop();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it("creates a sandbox and runs a command in it", async () => {
    const t0 = Date.now();
    const r = await api.call("POST", "/v1/sandboxes", {
      template: "minimal",
      timeout_s: 900,
      metadata: { e2e: "1" },
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.equal(r.json.state, "running");
    id = r.json.id;
    console.log(`first create (incl. template snapshot build): ${Date.now() - t0} ms`);
    const e = await api.exec(id, "echo hello from $(hostname)");
    assert.equal(e.status, 200, JSON.stringify(e.json));
    assert.equal(e.json.exit_code, 0);
    assert.equal(e.json.stdout, `hello from ${id}\n`);
    const got = await api.call("GET", `/v1/sandboxes/${id}`);
    assert.equal(got.json.state, "running");
    assert.ok(got.json.host_id);
  });

  it("uploads and downloads 20 MiB byte-exact", async () => {
    const data = randomBytes(20 << 20);
    const put = await fetch(`${api.base}/v1/sandboxes/${id}/files?path=/tmp/big.bin`, {
      method: "PUT",
      headers: { "x-api-key": KEY, "content-type": "application/octet-stream" },
      body: data,
    });
    assert.equal(put.status, 201, await put.clone().text());
    assert.equal(((await put.json()) as { bytes: number }).bytes, data.length);
    const get = await fetch(`${api.base}/v1/sandboxes/${id}/files/tmp/big.bin`, {
      headers: { "x-api-key": KEY },
    });
    assert.equal(get.status, 200);
    assert.equal(get.headers.get("content-length"), String(data.length));
    const back = Buffer.from(await get.arrayBuffer());
    assert.equal(back.length, data.length);
    assert.equal(
      createHash("sha256").update(back).digest("hex"),
      createHash("sha256").update(data).digest("hex"),
    );
    const gone = await fetch(`${api.base}/v1/sandboxes/${id}/files/tmp/nope.bin`, {
      headers: { "x-api-key": KEY },
    });
    assert.equal(gone.status, 404);
  });

  it("opens a terminal over WebSocket that sees `echo hi`", async () => {
    const ws = new WebSocket(`${api.base.replace("http", "ws")}/v1/sandboxes/${id}/terminal?api_key=${KEY}`);
    ws.binaryType = "arraybuffer";
    let out = "";
    const seen = new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`no "hi" line; got ${JSON.stringify(out)}`)), 30_000);
      ws.onmessage = (m) => {
        out += typeof m.data === "string" ? m.data : Buffer.from(m.data as ArrayBuffer).toString();
        if (/\r?\nhi\r?\n/.test(out)) {
          clearTimeout(timer);
          res();
        }
      };
      ws.onerror = () => rej(new Error("websocket error"));
    });
    await new Promise<void>((res, rej) => {
      ws.onopen = () => res();
      ws.onclose = (e) => rej(new Error(`closed before open: ${e.code} ${e.reason}`));
    });
    ws.send(JSON.stringify({ type: "resize", cols: 100, rows: 30 }));
    ws.send(new TextEncoder().encode("echo hi\n"));
    await seen;
    ws.close();
  });

  it("pauses and resumes keeping files and processes", async () => {
    const bg = await api.exec(
      id,
      "echo kept > /tmp/state.txt; setsid sleep 10000 >/dev/null 2>&1 < /dev/null & echo $!",
    );
    bgPid = bg.json.stdout.trim();
    assert.match(bgPid, /^\d+$/);
    const p = await api.call("POST", `/v1/sandboxes/${id}/pause`);
    assert.equal(p.status, 200, JSON.stringify(p.json));
    assert.equal(p.json.state, "paused");
    const again = await api.call("POST", `/v1/sandboxes/${id}/pause`);
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, "conflict");
    assert.equal((await api.exec(id, "true")).status, 409);
    const r = await api.call("POST", `/v1/sandboxes/${id}/resume`, {});
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.state, "running");
    const check = await api.exec(id, `cat /tmp/state.txt; kill -0 ${bgPid} && echo alive`);
    assert.equal(check.json.stdout, "kept\nalive\n");
  });

  it("keeps teams apart", async () => {
    for (const [m, p] of [
      ["GET", `/v1/sandboxes/${id}`],
      ["DELETE", `/v1/sandboxes/${id}`],
      ["POST", `/v1/sandboxes/${id}/pause`],
    ] as const) {
      const r = await other.call(m, p);
      assert.equal(r.status, 404, `${m} ${p}`);
      assert.equal(r.json.error.code, "not_found");
    }
    assert.equal((await other.exec(id, "id")).status, 404);
    assert.deepEqual((await other.call("GET", "/v1/sandboxes")).json.items, []);
    assert.equal((await api.call("GET", "/v1/sandboxes")).json.items.length, 1);
    assert.equal((await new Api(api.base, `wrn_${"0".repeat(32)}`).call("GET", "/v1/sandboxes")).status, 401);
  });

  it("rate-limits a key with 429 and Retry-After", async () => {
    const rs = await Promise.all(Array.from({ length: 120 }, () => other.call("GET", "/v1/sandboxes")));
    const limited = rs.filter((r) => r.status === 429);
    assert.ok(limited.length > 0, "some requests are limited");
    assert.ok(rs.some((r) => r.status === 200));
    assert.equal(limited[0]?.json.error.code, "rate_limited");
    assert.match(limited[0]?.res.headers.get("retry-after") ?? "", /^\d+$/);
    assert.equal((await api.call("GET", `/v1/sandboxes/${id}`)).status, 200, "other keys are unaffected");
  });

  it("loses nothing when the control plane is killed and restarted", async () => {
    await cp?.stop("SIGKILL");
    await startCp();
    const got = await api.call("GET", `/v1/sandboxes/${id}`);
    assert.equal(got.status, 200);
    assert.equal(got.json.state, "running");
    const e = await api.exec(id, `cat /tmp/state.txt; kill -0 ${bgPid} && echo alive`);
    assert.equal(e.json.stdout, "kept\nalive\n");
  });

  it("answers 503 while Postgres is down and recovers when it is back", async () => {
    await pg.stop();
    const down = await api.call("GET", `/v1/sandboxes/${id}`);
    assert.equal(down.status, 503, JSON.stringify(down.json));
    assert.equal(down.json.error.code, "unavailable");
    await pg.start();
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      status = (await api.call("GET", `/v1/sandboxes/${id}`)).status;
      if (status !== 200) await sleep(250);
    }
    assert.equal(status, 200);
  });

  it("records a failed create as error with a reason and leaves nothing on the host", async () => {
    const before = (await agent.list({})).sandboxes.map((s) => s.id);
    const r = await api.call("POST", "/v1/sandboxes", { template: "no-such-template", timeout_s: 60 });
    assert.ok(r.status >= 400 && r.status < 600, `status ${r.status}`);
    const errs = await api.call("GET", "/v1/sandboxes?state=error");
    assert.equal(errs.status, 200, JSON.stringify(errs.json));
    const row = errs.json.items.find((s: { template: string }) => s.template === "no-such-template");
    assert.ok(row, "the failed sandbox is listed in state error");
    assert.match(row.error, /template/i);
    assert.deepEqual(
      (await agent.list({})).sandboxes.map((s) => s.id),
      before,
    );
    assert.ok(!existsSync(join(stateDir, "sandboxes", row.id)), "no sandbox directory on the host");
    const big = await api.call("POST", "/v1/sandboxes", { template: "minimal", memory_mib: 262_144 });
    assert.equal(big.status, 503);
    assert.equal(big.json.error.code, "no_capacity");
    assert.match(big.json.error.message, /no healthy host has 262144 MiB/);
  });

  it("auto-destroys a sandbox past its timeout", async () => {
    const r = await api.call("POST", "/v1/sandboxes", {
      template: "minimal",
      timeout_s: 2,
      on_timeout: "destroy",
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    let state = "";
    for (let i = 0; i < 60 && state !== "stopped"; i++) {
      await sleep(500);
      state = (await api.call("GET", `/v1/sandboxes/${r.json.id}`)).json.state;
    }
    assert.equal(state, "stopped");
    assert.ok(!(await agent.list({})).sandboxes.some((s) => s.id === r.json.id));
    const [ev] =
      await sql`SELECT actor FROM audit_events WHERE target = ${r.json.id} AND action = 'sandbox.auto_destroy'`;
    assert.equal(ev?.actor, "system:lifecycle");
  });

  it("marks a silent host unhealthy, flags its sandboxes, refuses creates, and recovers", async () => {
    const hostState = async () =>
      (
        await sql<{ state: string; flagged: Date | null }[]>`
          SELECT h.state, s.host_unreachable_at AS flagged FROM hosts h JOIN sandboxes s ON s.host_id = h.id
          WHERE s.id = ${id}`
      )[0];
    const waitFor = async (want: string) => {
      let st = await hostState();
      for (let i = 0; i < 60 && st?.state !== want; i++) {
        await sleep(250);
        st = await hostState();
      }
      return st;
    };
    agentProc.proc.kill("SIGSTOP");
    try {
      const down = await waitFor("unhealthy");
      assert.equal(down?.state, "unhealthy");
      assert.ok(down?.flagged, "the host's sandbox is flagged");
      const r = await api.call("POST", "/v1/sandboxes", { template: "minimal" });
      assert.equal(r.status, 503);
      assert.equal(r.json.error.code, "no_capacity");
      assert.match(r.json.error.message, /no healthy host/);
    } finally {
      agentProc.proc.kill("SIGCONT");
    }
    const up = await waitFor("healthy");
    assert.equal(up?.state, "healthy");
    assert.equal(up?.flagged, null);
    assert.equal((await api.exec(id, "echo back")).json.stdout, "back\n");
  });

  it("destroys the sandbox and audits what happened", async () => {
    const d = await api.call("DELETE", `/v1/sandboxes/${id}`);
    assert.ok(d.status === 204 || d.status === 200, `status ${d.status}`);
    assert.equal((await api.call("GET", `/v1/sandboxes/${id}`)).json.state, "stopped");
    assert.equal((await api.exec(id, "true")).status, 409);
    assert.deepEqual((await agent.list({})).sandboxes, []);
    const actions = (
      await sql<{ action: string }[]>`SELECT action FROM audit_events WHERE target = ${id} ORDER BY id`
    ).map((a) => a.action);
    for (const a of [
      "sandbox.create",
      "sandbox.exec",
      "sandbox.file_write",
      "sandbox.pause",
      "sandbox.resume",
      "sandbox.destroy",
    ]) {
      assert.ok(actions.includes(a), `audit has ${a}: ${actions}`);
    }
    const [host] = await sql<{ used_mem_mib: number }[]>`SELECT used_mem_mib FROM hosts`;
    assert.equal(host?.used_mem_mib, 0, "every reservation was given back");
  });
});
