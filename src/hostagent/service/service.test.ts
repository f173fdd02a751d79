// The hostagent.v1 service in-process, over a real port, in front of a REAL envd in debug mode.
// The SandboxManager here is a test double that presents that envd as one running sandbox; the
// real manager with QEMU VMs is exercised by tests/e2e.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { type EnvdProcess, startEnvd } from "../../../tests/compat/harness.js";
import { HostAgent } from "../../shared/gen/hostagent/v1/hostagent_pb.js";
import { createEnvdClient, type EnvdClient, type EnvdDialer, tcpDialer } from "../envdclient/index.js";
import { SandboxError } from "../lifecycle/errors.js";
import type { SandboxInfo, SandboxManager } from "../lifecycle/types.js";
import { createHostAgentServer } from "./server.js";

const TOKEN = "test-agent-token-0123456789";
const ID = "sb-0000abcd";

function debugManager(envd: EnvdProcess): SandboxManager & { close(): Promise<void> } {
  const dialer: EnvdDialer = {
    connect: (_p, s) => tcpDialer("127.0.0.1").connect(envd.port, s),
    close: async () => {},
  };
  const client: EnvdClient = createEnvdClient({ dialer, port: envd.port });
  const info: SandboxInfo = {
    id: ID,
    template: "debug",
    state: "running",
    vcpus: 1,
    memMiB: 256,
    diskMiB: 512,
    metadata: {},
    sandboxIp: "127.0.0.1",
    envdVersion: "0.6.4",
    createdAt: new Date(),
    startedAt: new Date(),
    startMethod: "boot",
    egress: { allowCidrs: [], denyCidrs: [], blockAll: false },
  };
  const known = (id: string): SandboxInfo => {
    if (id !== ID) throw new SandboxError("not_found", `sandbox ${id} not found`);
    return info;
  };
  return {
    create: async () => {
      throw new SandboxError("capacity", "debug manager creates nothing");
    },
    get: known,
    list: () => [info],
    destroy: async (id) => {
      known(id);
    },
    pause: async (id) => {
      known(id);
      throw new SandboxError("wrong_state", "cannot pause a debug sandbox");
    },
    resume: async (id) => ({ sandbox: known(id), readyMs: 0 }),
    envd: (id) => {
      known(id);
      return client;
    },
    dialer: (id) => {
      known(id);
      return dialer;
    },
    status: async () => ({
      hostId: "test",
      vcpus: 2,
      memMiB: 1024,
      diskMiB: 1024,
      usedVcpus: 1,
      usedMemMiB: 256,
      usedDiskMiB: 512,
      sandboxes: 1,
      accelerator: "tcg",
      acceleratorReason: "test",
      vmm: "none",
      versions: {},
      templates: ["debug"],
      draining: false,
    }),
    async *events(signal) {
      yield { sandboxId: ID, at: new Date(), kind: "state", from: "starting", to: "running", reason: "test" };
      await new Promise((r) => signal.addEventListener("abort", r, { once: true }));
    },
    close: () => client.close(),
  };
}

describe("hostagent.v1 service", () => {
  let envd: EnvdProcess;
  let manager: ReturnType<typeof debugManager>;
  let server: ReturnType<typeof createHostAgentServer>;
  let base: string;
  const agent = (httpVersion: "1.1" | "2", token = TOKEN) =>
    createClient(
      HostAgent,
      createConnectTransport({
        baseUrl: base,
        httpVersion,
        interceptors: [
          (next) => (req) => {
            req.header.set("authorization", `Bearer ${token}`);
            return next(req);
          },
        ],
      }),
    );

  before(async () => {
    envd = await startEnvd();
    manager = debugManager(envd);
    server = createHostAgentServer({
      manager,
      token: TOKEN,
      defaults: { vcpus: 1, memMiB: 256, diskMiB: 1024 },
    });
    base = `http://127.0.0.1:${await server.listen(0, "127.0.0.1")}`;
  });
  after(async () => {
    await server.close();
    await manager.close();
    await envd.stop();
  });

  it("rejects callers without the token", async () => {
    await assert.rejects(agent("2", "wrong-token-wrong-token").list({}), (e: unknown) => {
      assert.equal(ConnectError.from(e).code, Code.Unauthenticated);
      return true;
    });
  });

  it("lists and gets over h2c and HTTP/1.1", async () => {
    for (const v of ["2", "1.1"] as const) {
      const list = await agent(v).list({});
      assert.deepEqual(
        list.sandboxes.map((s) => s.id),
        [ID],
      );
    }
    await assert.rejects(agent("2").get({ id: "sb-ffffffff" }), (e: unknown) => {
      assert.equal(ConnectError.from(e).code, Code.NotFound);
      return true;
    });
  });

  it("validates create input and names the field", async () => {
    await assert.rejects(agent("2").create({ id: "bad id", template: "minimal" }), (e: unknown) => {
      const ce = ConnectError.from(e);
      assert.equal(ce.code, Code.InvalidArgument);
      assert.match(ce.rawMessage, /^id:/);
      return true;
    });
  });

  it("executes with streamed output, stdin and exit", async () => {
    const out: Buffer[] = [];
    let exit: { exitCode: number } | undefined;
    for await (const r of agent("2").exec({
      id: ID,
      cmd: "/bin/sh",
      args: ["-c", "cat; echo err >&2; exit 4"],
      stdin: Buffer.from("in\n"),
    })) {
      if (r.event.case === "stdout") out.push(Buffer.from(r.event.value));
      if (r.event.case === "exit") exit = r.event.value;
    }
    assert.equal(Buffer.concat(out).toString(), "in\n");
    assert.equal(exit?.exitCode, 4);
  });

  it("kills an exec at its timeout", async () => {
    const t0 = Date.now();
    let error = "";
    for await (const r of agent("2").exec({ id: ID, cmd: "sleep", args: ["30"], timeoutS: 1 })) {
      if (r.event.case === "exit") error = r.event.value.error;
    }
    assert.match(error, /timed out/);
    assert.ok(Date.now() - t0 < 10_000);
  });

  it("writes and reads a file byte-exact through streams", async () => {
    const data = randomBytes(3 << 20);
    const path = `${envd.workdir}/agent/blob.bin`;
    async function* chunks() {
      for (let i = 0; i < data.length; i += 256 << 10) {
        yield i === 0
          ? { id: ID, path, data: data.subarray(i, i + (256 << 10)) }
          : { data: data.subarray(i, i + (256 << 10)) };
      }
    }
    const w = await agent("2").writeFile(chunks());
    assert.equal(w.bytesWritten, BigInt(data.length));
    const parts: Buffer[] = [];
    let size: bigint | undefined;
    for await (const r of agent("2").readFile({ id: ID, path })) {
      if (r.size !== undefined) size = r.size;
      parts.push(Buffer.from(r.data));
    }
    assert.equal(size, BigInt(data.length));
    assert.ok(Buffer.concat(parts).equals(data));
    await assert.rejects(
      agent("2")
        .readFile({ id: ID, path: `${path}.missing` })
        [Symbol.asyncIterator]()
        .next(),
      (e: unknown) => {
        assert.equal(ConnectError.from(e).code, Code.NotFound);
        return true;
      },
    );
  });

  it("runs a terminal with input and resize", async () => {
    const enc = new TextEncoder();
    let screen = "";
    let exitCode: number | undefined;
    let send: (v: unknown) => void = () => {};
    const queue: unknown[] = [{ event: { case: "start", value: { id: ID, size: { cols: 80, rows: 24 } } } }];
    async function* input() {
      while (true) {
        while (queue.length) yield queue.shift() as never;
        await new Promise((r) => {
          send = r;
        });
      }
    }
    const push = (v: unknown) => {
      queue.push(v);
      send(undefined);
    };
    const deadline = Date.now() + 15_000;
    for await (const r of agent("2").terminal(input())) {
      if (r.event.case === "pid") {
        push({ event: { case: "resize", value: { cols: 100, rows: 33 } } });
        push({ event: { case: "input", value: enc.encode("stty size; exit 3\n") } });
      }
      if (r.event.case === "output") screen += Buffer.from(r.event.value).toString();
      if (r.event.case === "exitCode") exitCode = r.event.value;
      if (Date.now() > deadline) break;
    }
    assert.match(screen, /33 100/);
    assert.equal(exitCode, 3);
  });

  it("passes HTTP through to envd only with the agent token", async () => {
    const ok = await fetch(`${base}/sandboxes/${ID}/envd/health`, {
      headers: { "x-wrenn-agent-token": TOKEN },
    });
    assert.equal(ok.status, 204);
    const denied = await fetch(`${base}/sandboxes/${ID}/envd/health`);
    assert.equal(denied.status, 401);
    const missing = await fetch(`${base}/sandboxes/sb-ffffffff/envd/health`, {
      headers: { "x-wrenn-agent-token": TOKEN },
    });
    assert.equal(missing.status, 404);
    const rpc = await fetch(`${base}/sandboxes/${ID}/envd/process.Process/List`, {
      method: "POST",
      headers: { "x-wrenn-agent-token": TOKEN, "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(rpc.status, 200);
    assert.ok(Array.isArray(((await rpc.json()) as { processes?: unknown[] }).processes ?? []));
  });

  it("reports host status and streams events", async () => {
    const s = await agent("2").hostStatus({});
    assert.equal(s.accelerator, "tcg");
    const ac = new AbortController();
    for await (const e of agent("2").watchEvents({}, { signal: ac.signal })) {
      assert.equal(e.sandboxId, ID);
      assert.equal(e.event.case, "stateChanged");
      ac.abort();
      break;
    }
  });
});
