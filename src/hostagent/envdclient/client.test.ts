import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it, type TestContext } from "node:test";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  createEnvdClient,
  type EnvdClient,
  EnvdError,
  netnsTcpDialer,
  tcpDialer,
  vsockUdsDialer,
  waitForEnvd,
} from "./index.js";
import { freePort, startEnvd } from "./testenv.test-helper.js";

/** skipIfMissing skips a test when envd does not implement the feature yet (other helpers' work). */
function skipIfMissing(t: TestContext, err: unknown): boolean {
  const cause = err instanceof EnvdError ? err.cause : err;
  const unimpl = cause instanceof ConnectError && cause.code === Code.Unimplemented;
  const notFound =
    err instanceof EnvdError && err.code === "http_error" && (err.status === 404 || err.status === 405);
  if (unimpl || notFound) t.skip(`envd does not implement this yet: ${(err as Error).message}`);
  return unimpl || notFound;
}

describe("envd client over TCP (debug envd)", () => {
  let envd: Awaited<ReturnType<typeof startEnvd>>;
  let client: EnvdClient;
  before(async () => {
    envd = await startEnvd();
    client = createEnvdClient({ dialer: tcpDialer("127.0.0.1"), port: envd.port });
    await client.waitHealthy({ timeoutMs: 10_000 });
  });
  after(async () => {
    await client.close();
    await envd.stop();
  });

  it("reports health and accepts /init", async () => {
    await client.health();
    const version = await client.init({ envVars: { WRENN_TEST: "1" }, timestamp: new Date().toISOString() });
    assert.equal(typeof version, "string");
  });

  it("runs a process with streamed output and exit code", async (t) => {
    try {
      const r = await client.run("/bin/sh", { args: ["-c", "echo out; echo err >&2; exit 3"] });
      assert.equal(r.stdout.toString(), "out\n");
      assert.equal(r.stderr.toString(), "err\n");
      assert.equal(r.exitCode, 3);
    } catch (err) {
      if (!skipIfMissing(t, err)) throw err;
    }
  });

  it("feeds stdin to a process", async (t) => {
    try {
      const h = client.exec("/bin/cat", { stdin: true });
      const events = h[Symbol.asyncIterator]();
      const first = await events.next();
      assert.equal(first.value?.type, "start");
      await h.write("hello stdin");
      await h.closeStdin();
      let out = "";
      let code = -1;
      for (let ev = await events.next(); !ev.done; ev = await events.next()) {
        if (ev.value.type === "stdout") out += Buffer.from(ev.value.data).toString();
        if (ev.value.type === "exit") code = ev.value.exitCode;
      }
      assert.equal(out, "hello stdin");
      assert.equal(code, 0);
    } catch (err) {
      if (!skipIfMissing(t, err)) throw err;
    }
  });

  it("streams a 5 MiB file up and down", async (t) => {
    const dir = await mkdtemp(join(tmpdir(), "envdclient-"));
    try {
      const chunk = Buffer.alloc(64 << 10);
      for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) & 0xff;
      const src = Readable.from(
        (function* () {
          for (let i = 0; i < 80; i++) yield chunk;
        })(),
      );
      await client.upload(join(dir, "sub/big.bin"), src);
      const res = await client.download(join(dir, "sub/big.bin"));
      let n = 0;
      let ok = true;
      for await (const c of res) {
        const b = c as Buffer;
        for (let i = 0; i < b.length; i += 4099) ok &&= b[i] === chunk[(n + i) % chunk.length];
        n += b.length;
      }
      assert.equal(n, 80 * chunk.length);
      assert.ok(ok, "downloaded bytes differ");
    } catch (err) {
      if (!skipIfMissing(t, err)) throw err;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("times out health waits on a dead port and honours abort", async () => {
    const dead = createEnvdClient({ dialer: tcpDialer("127.0.0.1"), port: await freePort() });
    try {
      await assert.rejects(
        dead.waitHealthy({ timeoutMs: 200 }),
        (e) => e instanceof EnvdError && e.code === "timeout",
      );
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 50);
      await assert.rejects(
        dead.waitHealthy({ timeoutMs: 10_000, signal: ac.signal }),
        (e) => e instanceof EnvdError && e.code === "aborted",
      );
    } finally {
      await dead.close();
    }
  });
});

describe("envd client over the hybrid-vsock dialer", () => {
  let envd: Awaited<ReturnType<typeof startEnvd>>;
  let dir: string;
  let fake: Server;
  before(async () => {
    envd = await startEnvd();
    dir = await mkdtemp(join(tmpdir(), "envdclient-vsock-"));
    // A stand-in for Firecracker's vsock UDS: answers CONNECT <port> with OK and splices to envd.
    fake = createServer((s: Socket) => {
      s.once("data", (line: Buffer) => {
        const m = /^CONNECT (\d+)\n$/.exec(line.toString());
        if (!m) return s.destroy();
        const up = tcpConnect(envd.port, "127.0.0.1", () => {
          s.write("OK 1073741824\n");
          s.pipe(up).pipe(s);
        });
        up.on("error", () => s.destroy());
        s.on("error", () => up.destroy());
      });
    });
    await new Promise<void>((r) => fake.listen(join(dir, "v.sock"), r));
  });
  after(async () => {
    await new Promise((r) => fake.close(r));
    await envd.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("reaches envd through CONNECT/OK", async () => {
    const client = createEnvdClient({ dialer: vsockUdsDialer(join(dir, "v.sock")) });
    try {
      await client.waitHealthy({ timeoutMs: 5000 });
      await client.init({ envVars: { A: "b" } });
    } finally {
      await client.close();
    }
  });
});

describe("envd client over the netns forwarder", () => {
  const ns = `wrn-ec-${process.pid}`;
  let envd: Awaited<ReturnType<typeof startEnvd>>;
  let dir: string;
  before(async () => {
    execFileSync("ip", ["netns", "add", ns]);
    execFileSync("ip", ["-n", ns, "link", "set", "lo", "up"]);
    envd = await startEnvd({ netns: ns });
    dir = await mkdtemp(join(tmpdir(), "envdclient-ns-"));
  });
  after(async () => {
    await envd?.stop();
    execFileSync("ip", ["netns", "del", ns]);
    await rm(dir, { recursive: true, force: true });
  });

  it("reuses a forwarder left by an earlier dialer (host-agent restart) and stops it on close", async () => {
    const first = netnsTcpDialer({ netns: ns, host: "127.0.0.1", socketDir: dir });
    (await first.connect(envd.port)).destroy();
    const pid = await readFile(join(dir, `fwd-${envd.port}.pid`), "utf8");
    // A new dialer, as after a restart: it adopts the running socat instead of starting another.
    const second = netnsTcpDialer({ netns: ns, host: "127.0.0.1", socketDir: dir });
    await waitForEnvd(second, { timeoutMs: 5000, port: envd.port });
    assert.equal(await readFile(join(dir, `fwd-${envd.port}.pid`), "utf8"), pid);
    await second.close();
    assert.equal(await readFile(`/proc/${pid.trim()}/cmdline`, "utf8").catch(() => ""), "");
  });

  it("reaches a port that only exists inside the namespace", async () => {
    const dialer = netnsTcpDialer({ netns: ns, host: "127.0.0.1", socketDir: dir });
    const client = createEnvdClient({ dialer, port: envd.port });
    try {
      await client.waitHealthy({ timeoutMs: 10_000 });
      await client.init({ envVars: { A: "b" } });
    } finally {
      await client.close();
      await dialer.close();
    }
    await assert.rejects(
      dialer.connect(envd.port),
      (e) => e instanceof EnvdError && e.code === "dial_failed",
    );
    assert.deepEqual(await readdir(dir), [], "close removed the forwarder's socket and pid file");
    // The same port is closed in the test's own namespace.
    const direct = createEnvdClient({ dialer: tcpDialer("127.0.0.1"), port: envd.port });
    await assert.rejects(direct.health(), (e) => e instanceof EnvdError);
    await direct.close();
  });
});
