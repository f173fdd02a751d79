import { spawn } from "node:child_process";
import { NetworkError } from "./errors.js";

/** RunOptions: `netns` runs the command via `ip netns exec`; `input` is written to its stdin. */
export interface RunOptions {
  netns?: string | undefined;
  input?: string;
  timeoutMs?: number;
}

/**
 * run executes `cmd args…` (argv, never a shell string), optionally inside a named netns, and
 * resolves with stdout. A non-zero exit is a "command_failed" NetworkError carrying stderr.
 */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const argv = opts.netns ? ["netns", "exec", opts.netns, cmd, ...args] : [...args];
  const bin = opts.netns ? "ip" : cmd;
  const shown = `${opts.netns ? `[netns ${opts.netns}] ` : ""}${cmd} ${args.join(" ")}`;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, argv, { stdio: ["pipe", "pipe", "pipe"], timeout: opts.timeoutMs ?? 15_000 });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      err = (err + c.toString()).slice(-4000);
    });
    child.on("error", (e) =>
      reject(new NetworkError("command_failed", `${shown}: ${e.message}`, { cause: e })),
    );
    child.on("close", (code, signal) => {
      if (code === 0) return resolve(out);
      const why = err.trim() || (signal ? `killed by ${signal}` : `exit status ${code}`);
      reject(new NetworkError("command_failed", `${shown}: ${why}`));
    });
    child.stdin.on("error", () => {}); // EPIPE when the command exits early; its stderr says why
    child.stdin.end(opts.input ?? "");
  });
}

/** ipIn runs `ip [-n netns] args…`; without a netns it targets the agent's own namespace. */
export function ipIn(netns: string | undefined, args: readonly string[], input?: string): Promise<string> {
  const full = netns ? ["-n", netns, ...args] : [...args];
  return input === undefined ? run("ip", full) : run("ip", full, { input });
}

/** isGone says whether a failed command only complained that its target no longer exists. */
export function isGone(err: unknown): boolean {
  return (
    err instanceof NetworkError &&
    err.code === "command_failed" &&
    /Cannot find device|does not exist|No such file or directory|Cannot open network namespace/.test(
      err.message,
    )
  );
}

/** ignoreGone awaits `p` and swallows "already gone" failures, so teardown is idempotent. */
export async function ignoreGone(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isGone(err)) throw err;
  }
}
