// Helpers of the control-plane e2e test: a Postgres 15 cluster that can be stopped and started again
// on the same port (the 503 test), the control plane as a child process, and a small API client.
import { type ChildProcess, execFile, execFileSync } from "node:child_process";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { freePort, startDaemon } from "../../src/shared/testing/index.js";

const run = promisify(execFile);
const PG_BIN = process.env.WRENN_PG_BIN ?? "/usr/lib/postgresql/15/bin";

/** asOwner runs a server binary as `postgres` when we are root (initdb and postgres refuse root). */
const asOwner = (bin: string, args: string[]): [string, string[]] =>
  process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];

/** StoppablePostgres is a loopback cluster the test can stop and start again (same data, same port). */
export interface StoppablePostgres {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** startStoppablePostgres initdb's a throwaway cluster in a temp dir and starts it. */
export async function startStoppablePostgres(): Promise<StoppablePostgres> {
  const dir = await mkdtemp(join(tmpdir(), "wrenn-cp-pg-"));
  if (process.getuid?.() === 0) {
    const id = (f: string) => Number(execFileSync("id", [f, "postgres"], { encoding: "utf8" }).trim());
    await chown(dir, id("-u"), id("-g"));
  }
  const data = join(dir, "data");
  const init = asOwner(join(PG_BIN, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync"]);
  await run(init[0], init[1]);
  const port = await freePort();
  const opts = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_connections=100`;
  const ctl = (...args: string[]) => asOwner(join(PG_BIN, "pg_ctl"), ["-D", data, ...args]);
  const start = async () => {
    const [c, a] = ctl("-l", join(dir, "log"), "-w", "-t", "60", "-o", opts, "start");
    await run(c, a);
  };
  const stop = async () => {
    const [c, a] = ctl("-m", "immediate", "-w", "stop");
    await run(c, a).catch(() => {});
  };
  await start();
  const onExit = () => {
    const [c, a] = ctl("-m", "immediate", "-w", "stop");
    try {
      execFileSync(c, a, { stdio: "ignore" });
      execFileSync("rm", ["-rf", dir]);
    } catch {
      // best effort at exit
    }
  };
  process.once("exit", onExit);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    async destroy() {
      process.off("exit", onExit);
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** ControlPlaneChild is `node src/controlplane/main.ts` running with a given environment. */
export interface ControlPlaneChild {
  proc: ChildProcess;
  url: string;
  logs: Array<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** startControlPlaneChild runs main.ts and resolves once it logs "listening". */
export async function startControlPlaneChild(env: Record<string, string>): Promise<ControlPlaneChild> {
  const main = resolve(import.meta.dirname, "../../src/controlplane/main.ts");
  const echo = process.env.WRENN_E2E_VERBOSE ? (line: string) => console.log("cp:", line) : undefined;
  const { proc, logs, listening, exited } = await startDaemon(main, env, {
    name: "control plane",
    ...(echo ? { echo } : {}),
  });
  return {
    proc,
    url: listening.url as string,
    logs,
    async stop(signal = "SIGTERM") {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
}

/** Json is a response body the tests inspect field by field (asserts do the checking). */
// biome-ignore lint/suspicious/noExplicitAny: test-only loose JSON access, every use is asserted
export type Json = any;

/** Api is a tiny client for /v1 with one API key. */
export class Api {
  constructor(
    readonly base: string,
    readonly key: string,
  ) {}

  async call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: Json; res: Response }> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        "x-api-key": this.key,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: Json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, json, res };
  }

  /** exec runs a shell command and returns the JSON result (asserting nothing). */
  async exec(id: string, cmd: string): Promise<{ status: number; json: Json }> {
    return this.call("POST", `/v1/sandboxes/${id}/exec`, { cmd, timeout_s: 60 });
  }
}
