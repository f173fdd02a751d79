import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";

/** ENVD_BIN is the debug-mode envd the envdclient tests run against (`make build-envd`). */
export const ENVD_BIN = resolve(import.meta.dirname, "../../../bin/envd");

/** freePort asks the kernel for an unused loopback port. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      s.close(() => (typeof addr === "object" && addr ? res(addr.port) : rej(new Error("no port"))));
    });
  });
}

/** startEnvd runs bin/envd in debug mode on a loopback port, optionally inside a netns. */
export async function startEnvd(opts: { netns?: string; port?: number } = {}): Promise<{
  port: number;
  proc: ChildProcess;
  stop: () => Promise<void>;
}> {
  if (!existsSync(ENVD_BIN)) throw new Error(`${ENVD_BIN} missing: run make build-envd`);
  const port = opts.port ?? (await freePort());
  const argv = [ENVD_BIN, "--listen", `127.0.0.1:${port}`];
  const proc = opts.netns
    ? spawn("ip", ["netns", "exec", opts.netns, ...argv], {
        stdio: ["ignore", "ignore", process.env.ENVD_LOG ? "inherit" : "ignore"],
      })
    : spawn(argv[0] as string, argv.slice(1), {
        stdio: ["ignore", "ignore", process.env.ENVD_LOG ? "inherit" : "ignore"],
      });
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGTERM");
    await exited;
  };
  return { port, proc, stop };
}
