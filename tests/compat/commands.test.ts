// The official E2B SDK's commands API against envd (debug mode, no VM).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CommandExitError, type Sandbox } from "e2b";
import { type EnvdProcess, sandboxFor, startEnvd } from "./harness.js";

describe("e2b SDK: commands", () => {
  let envd: EnvdProcess;
  let sbx: Sandbox;
  before(async () => {
    envd = await startEnvd();
    sbx = await sandboxFor(envd);
  });
  after(async () => envd?.stop());

  it("runs a command and returns stdout, stderr and exit code", async () => {
    const r = await sbx.commands.run("echo out; echo err >&2");
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, "out\n");
    assert.equal(r.stderr, "err\n");
  });

  it("throws CommandExitError on a non-zero exit", async () => {
    await assert.rejects(sbx.commands.run("echo nope >&2; exit 3"), (err: unknown) => {
      assert.ok(err instanceof CommandExitError);
      assert.equal(err.exitCode, 3);
      assert.equal(err.stderr, "nope\n");
      return true;
    });
  });

  it("passes env vars and cwd", async () => {
    const r = await sbx.commands.run('echo "$WRENN_A-$WRENN_B"; pwd', {
      envs: { WRENN_A: "alpha", WRENN_B: "beta" },
      cwd: envd.workdir,
    });
    assert.equal(r.stdout, `alpha-beta\n${envd.workdir}\n`);
  });

  it("streams output through callbacks", async () => {
    const chunks: string[] = [];
    await sbx.commands.run("for i in 1 2 3; do echo line$i; sleep 0.05; done", {
      onStdout: (d) => {
        chunks.push(d);
      },
    });
    assert.equal(chunks.join(""), "line1\nline2\nline3\n");
  });

  it("times out a long command", async () => {
    const t0 = Date.now();
    await assert.rejects(sbx.commands.run("sleep 30", { timeoutMs: 1000 }));
    assert.ok(Date.now() - t0 < 10_000, "timeout took too long");
  });

  it("runs a background command, lists it, sends stdin and kills it", async () => {
    const seen: string[] = [];
    const h = await sbx.commands.run("cat", {
      background: true,
      stdin: true,
      onStdout: (d) => {
        seen.push(d);
      },
    });
    assert.ok(h.pid > 0);
    const listed = await sbx.commands.list();
    const mine = listed.find((p) => p.pid === h.pid);
    assert.ok(mine, "background process is listed");
    assert.equal(mine.cmd, "/bin/bash");
    await sbx.commands.sendStdin(h.pid, "hello stdin\n");
    const deadline = Date.now() + 5000;
    while (!seen.join("").includes("hello stdin") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(seen.join(""), "hello stdin\n");
    assert.equal(await sbx.commands.kill(h.pid), true);
    await assert.rejects(h.wait());
    const after = await sbx.commands.list();
    assert.equal(
      after.find((p) => p.pid === h.pid),
      undefined,
    );
    assert.equal(await sbx.commands.kill(h.pid), false);
  });

  it("reconnects to a background command by pid", async () => {
    const h = await sbx.commands.run("sleep 0.5; echo done-late", { background: true });
    await h.disconnect();
    const again = await sbx.commands.connect(h.pid);
    const r = await again.wait();
    assert.equal(r.stdout, "done-late\n");
  });

  it("closes stdin so a reader sees EOF", async () => {
    const h = await sbx.commands.run("wc -c", { background: true, stdin: true });
    await sbx.commands.sendStdin(h.pid, "12345");
    await sbx.commands.closeStdin(h.pid);
    const r = await h.wait();
    assert.equal(r.stdout.trim(), "5");
  });
});
