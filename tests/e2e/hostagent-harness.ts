// Helpers of the host agent e2e test: a Connect client, guest probes, leftover scans, child agents.
import type { ChildProcess } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { HostAgent } from "../../src/shared/gen/hostagent/v1/hostagent_pb.js";
import { startDaemon } from "../../src/shared/testing/index.js";

/** Agent is a hostagent.v1 client. */
export type Agent = Client<typeof HostAgent>;

/** agentClient dials the agent over h2c with the token (or none). */
export function agentClient(base: string, token?: string): Agent {
  return createClient(
    HostAgent,
    createConnectTransport({
      baseUrl: base,
      httpVersion: "2",
      interceptors: [
        (next) => (req) => {
          if (token) req.header.set("authorization", `Bearer ${token}`);
          return next(req);
        },
      ],
    }),
  );
}

/** sh runs a shell script in the sandbox through the agent's Exec and returns stdout + exit code. */
export async function sh(
  a: Agent,
  id: string,
  script: string,
  timeoutS = 30,
): Promise<{ out: string; code: number }> {
  let out = "";
  let code = -1;
  for await (const r of a.exec({ id, cmd: "/bin/sh", args: ["-c", script], timeoutS })) {
    if (r.event.case === "stdout" || r.event.case === "stderr") out += Buffer.from(r.event.value).toString();
    if (r.event.case === "exit") code = r.event.value.exitCode;
  }
  return { out, code };
}

/**
 * httpGet fetches http://host:port/ from inside the guest with bash's /dev/tcp (busybox wget is
 * not relied on) and returns the body's last line, or "ERR" when the connection fails or hangs.
 */
export async function httpGet(
  a: Agent,
  id: string,
  host: string,
  port: number,
  timeoutS = 2,
): Promise<string> {
  const script = `exec 2>/dev/null; timeout ${timeoutS} bash -c 'exec 3<>/dev/tcp/${host}/${port} && printf "GET / HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n" >&3 && cat <&3' 2>/dev/null | tail -n 1; echo`;
  const line = (await sh(a, id, script)).out.trim();
  return line === "" ? "ERR" : line;
}

/** procsMentioning lists QEMU and socat processes whose command line contains `needle`. */
export async function procsMentioning(needle: string): Promise<number[]> {
  const out: number[] = [];
  for (const p of await readdir("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    const cmd = await readFile(`/proc/${p}/cmdline`, "utf8").catch(() => "");
    if (cmd.includes(needle) && /qemu-system|socat/.test(cmd)) out.push(Number(p));
  }
  return out;
}

/** killAll SIGKILLs pids (test cleanup of processes the test started). */
export function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
}

/** ChildAgent is the host agent running as `node src/hostagent/main.ts`. */
export interface ChildAgent {
  proc: ChildProcess;
  base: string;
  /** logs are the agent's JSON log lines so far. */
  logs: Array<Record<string, unknown>>;
  /** exited resolves with the exit code/signal. */
  exited: Promise<number | string>;
}

/** startChildAgent runs main.ts with `env` and resolves once it logs "listening". */
export async function startChildAgent(env: Record<string, string>): Promise<ChildAgent> {
  const main = resolve(import.meta.dirname, "../../src/hostagent/main.ts");
  const d = await startDaemon(main, env, { name: "agent" });
  return { proc: d.proc, base: `http://127.0.0.1:${d.listening.port}`, logs: d.logs, exited: d.exited };
}
