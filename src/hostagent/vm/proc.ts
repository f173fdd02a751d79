import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { VmError } from "./errors.js";

/** SpawnedVmm is a started VMM process: its pid and start time (identity across host-agent restarts). */
export interface SpawnedVmm {
  pid: number;
  pidStart: number;
}

/**
 * spawnDetached starts argv in its own process group with stdout/stderr appended to `logFile`, so
 * the VMM outlives the host agent; the child is unref'd and tracked by pid afterwards.
 */
export async function spawnDetached(argv: readonly string[], logFile: string): Promise<SpawnedVmm> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new VmError("invalid_spec", "empty command line");
  const fd = openSync(logFile, "a", 0o600);
  try {
    const child = spawn(cmd, args, { detached: true, stdio: ["ignore", fd, fd] });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once("error", (err) =>
        reject(new VmError("boot_failed", `cannot start ${cmd}: ${err.message}`, { cause: err })),
      );
      child.once("spawn", () => resolve(child.pid as number));
    });
    child.unref();
    return { pid, pidStart: await pidStartTime(pid) };
  } finally {
    closeSync(fd);
  }
}

/** pidStartTime reads field 22 of /proc/<pid>/stat (start time in ticks); -1 if the process is gone. */
export async function pidStartTime(pid: number): Promise<number> {
  const st = await procStat(pid);
  return st ? st.start : -1;
}

async function procStat(pid: number): Promise<{ state: string; start: number } | null> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0] ?? "", start: Number(fields[19]) };
  } catch {
    return null;
  }
}

/** isAlive says whether pid still runs and is the same process (start time matches); zombies count as dead. */
export async function isAlive(pid: number, pidStart: number): Promise<boolean> {
  const st = await procStat(pid);
  return st !== null && st.state !== "Z" && st.state !== "X" && st.start === pidStart;
}

/** waitExit polls until the process is gone or `timeoutMs` passes; it returns whether it exited. */
export async function waitExit(pid: number, pidStart: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
    if (!(await isAlive(pid, pidStart))) return true;
    if (Date.now() >= deadline) return false;
    await sleep(pause);
  }
}

/** killVmm sends `sig` to the VMM's process group (it leads one: spawnDetached), then to the pid. */
export async function killVmm(pid: number, pidStart: number, sig: NodeJS.Signals): Promise<void> {
  if (!(await isAlive(pid, pidStart))) return;
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // exited in between
    }
  }
}

/** stopVmm escalates: wait `graceMs` (the caller asked nicely already), SIGTERM for 2 s, then SIGKILL. */
export async function stopVmm(pid: number, pidStart: number, graceMs: number): Promise<void> {
  if (await waitExit(pid, pidStart, graceMs)) return;
  await killVmm(pid, pidStart, "SIGTERM");
  if (await waitExit(pid, pidStart, 2000)) return;
  await killVmm(pid, pidStart, "SIGKILL");
  await waitExit(pid, pidStart, 5000);
}

/** tailFile returns the last `lines` lines of a log file ("" if unreadable); used in boot errors. */
export async function tailFile(path: string, lines = 40): Promise<string> {
  try {
    const fh = await open(path, "r");
    try {
      const { size } = await fh.stat();
      const len = Math.min(size, 64 * 1024);
      const buf = Buffer.alloc(len);
      await fh.read(buf, 0, len, size - len);
      return buf.toString("utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } finally {
      await fh.close();
    }
  } catch {
    return "";
  }
}
