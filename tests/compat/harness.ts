/**
 * Harness for the E2B compatibility suite: starts our envd in debug mode on a free
 * loopback port and points the unmodified official `e2b` SDK at it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Sandbox } from "e2b";

const repoRoot = resolve(import.meta.dirname, "../..");

/** EnvdProcess is a running debug-mode envd. */
export interface EnvdProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Scratch directory the tests may write into; removed by stop(). */
  workdir: string;
  stop(): Promise<void>;
}

/** freePort asks the kernel for an unused loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

/** waitHealthy polls GET /health until it answers 204 or the deadline passes. */
export async function waitHealthy(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/health`);
      if (res.status === 204) return;
      last = new Error(`status ${res.status}`);
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`envd at ${url} not healthy after ${timeoutMs} ms: ${String(last)}`);
}

/** ourArgs are our envd's flags for a loopback port. */
export const ourArgs = (port: number): string[] => ["--listen", `127.0.0.1:${port}`];

/** startEnvd runs bin/envd (or `binary`, with `args`) on a free loopback port. */
export async function startEnvd(
  binary = join(repoRoot, "bin/envd"),
  args: (port: number) => string[] = ourArgs,
): Promise<EnvdProcess> {
  const port = await freePort();
  const workdir = mkdtempSync(join(tmpdir(), "wrenn-compat-"));
  const child = spawn(binary, args(port), {
    stdio: ["ignore", "ignore", process.env.ENVD_LOG ? "inherit" : "ignore"],
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  await waitHealthy(url);
  return {
    url,
    port,
    child,
    workdir,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(workdir, { recursive: true, force: true });
    },
  };
}

/** sandboxFor connects the official SDK to envd the way E2B's debug mode does, but on our port. */
export async function sandboxFor(envd: EnvdProcess): Promise<Sandbox> {
  return Sandbox.create({ debug: true, sandboxUrl: envd.url });
}
