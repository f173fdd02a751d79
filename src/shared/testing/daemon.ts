import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** Daemon is one of our daemons (`node --import tsx <entry>`) started by a test. */
export interface Daemon {
  proc: ChildProcess;
  /** logs are the daemon's JSON log lines so far. */
  logs: Array<Record<string, unknown>>;
  /** listening is the log record that said the daemon is serving (it carries the address). */
  listening: Record<string, unknown>;
  /** exited resolves with the exit code, or the signal that ended it. */
  exited: Promise<number | string>;
}

/**
 * startDaemon runs `entry` with `env` added to this process' environment and resolves once it logs
 * `"msg":"listening"`; it rejects with the daemon's stderr if it exits first.
 */
export function startDaemon(
  entry: string,
  env: Record<string, string>,
  opts: { name: string; echo?: (line: string) => void },
): Promise<Daemon> {
  const proc = spawn(process.execPath, ["--import", "tsx", entry], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = "";
  proc.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<number | string>((r) => proc.once("exit", (code, sig) => r(code ?? sig ?? -1)));
  return new Promise((resolve, reject) => {
    createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(rec);
      opts.echo?.(line);
      if (rec.msg === "listening") resolve({ proc, logs, listening: rec, exited });
    });
    void exited.then((code) =>
      reject(new Error(`${opts.name} exited (${code}) before listening: ${stderr}`)),
    );
  });
}
