// The official E2B SDK's PTY API against envd (debug mode, no VM).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Sandbox } from "e2b";
import { type EnvdProcess, sandboxFor, startEnvd } from "./harness.js";

async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("e2b SDK: pty", () => {
  let envd: EnvdProcess;
  let sbx: Sandbox;
  before(async () => {
    envd = await startEnvd();
    sbx = await sandboxFor(envd);
  });
  after(async () => envd?.stop());

  it("creates a terminal, sends input, resizes and kills it", async () => {
    const dec = new TextDecoder();
    let screen = "";
    const term = await sbx.pty.create({
      cols: 80,
      rows: 24,
      cwd: envd.workdir,
      onData: (d) => {
        screen += dec.decode(d, { stream: true });
      },
    });
    assert.ok(term.pid > 0);
    const enc = new TextEncoder();
    await sbx.pty.sendInput(term.pid, enc.encode("echo pty-$((40+2))\n"));
    await until(() => screen.includes("pty-42"), "echo output");
    await sbx.pty.resize(term.pid, { cols: 100, rows: 30 });
    await sbx.pty.sendInput(term.pid, enc.encode("stty size\n"));
    await until(() => screen.includes("30 100"), "resized stty size");
    await sbx.pty.sendInput(term.pid, enc.encode("echo $TERM\n"));
    await until(() => screen.includes("xterm-256color"), "TERM");
    assert.equal(await sbx.pty.kill(term.pid), true);
    const r = await term.wait().catch((e: unknown) => e);
    assert.ok(r !== undefined);
  });

  it("exits with the shell's exit code", async () => {
    const term = await sbx.pty.create({ cols: 80, rows: 24, onData: () => {} });
    await sbx.pty.sendInput(term.pid, new TextEncoder().encode("exit 0\n"));
    const r = await term.wait();
    assert.equal(r.exitCode, 0);
  });
});
