import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { connectSocket, type EnvdDialer } from "./dialer.js";
import { EnvdError } from "./errors.js";

/** NetnsTcpDialerOptions says where the guest is and where the forwarder sockets live. */
export interface NetnsTcpDialerOptions {
  /** netns is the sandbox's network namespace (`ip netns` name). */
  netns: string;
  /** host is the guest address as seen inside that namespace. */
  host: string;
  /** socketDir holds one unix socket (+ pid file) per forwarded port: the VM's state dir. */
  socketDir: string;
}

interface Forwarder {
  pid: number;
  path: string;
}

const READY_TIMEOUT_MS = 3000;

/**
 * netnsTcpDialer reaches a guest TCP port that is only routable inside the sandbox netns, without
 * touching the host's own namespace: a socat started under `ip netns exec` listens on a unix socket
 * (filesystem sockets cross network namespaces) and forwards each connection to host:port.
 * Forwarders are recorded in pid files, so a restarted host agent reuses (and later stops) them.
 */
export function netnsTcpDialer(opts: NetnsTcpDialerOptions): EnvdDialer {
  const forwarders = new Map<number, Promise<Forwarder>>();
  let closed = false;

  const ensure = async (port: number): Promise<Forwarder> => {
    const cur = forwarders.get(port);
    if (cur) {
      const f = await cur.catch(() => undefined);
      if (f && (await isForwarder(f.pid, f.path))) return f;
    }
    const next = startOrAdopt(opts, port);
    forwarders.set(port, next);
    return next;
  };

  return {
    connect: async (port, signal) => {
      if (closed) throw new EnvdError("dial_failed", `dialer for ${opts.netns}/${opts.host} is closed`);
      const fwd = await ensure(port);
      return connectSocket(
        () => createConnection({ path: fwd.path }),
        `${opts.netns}/${opts.host}:${port}`,
        signal,
      );
    },
    close: async () => {
      closed = true;
      await Promise.allSettled(forwarders.values());
      forwarders.clear();
      await stopForwarders(opts.socketDir);
    },
  };
}

function files(socketDir: string, port: number): { path: string; pidFile: string } {
  return { path: join(socketDir, `fwd-${port}.sock`), pidFile: join(socketDir, `fwd-${port}.pid`) };
}

/** isForwarder checks that pid is still our socat for `path` (pids get reused). */
async function isForwarder(pid: number, path: string): Promise<boolean> {
  const cmd = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  return cmd.includes("socat") && cmd.includes(`UNIX-LISTEN:${path},`);
}

async function startOrAdopt(opts: NetnsTcpDialerOptions, port: number): Promise<Forwarder> {
  const { path, pidFile } = files(opts.socketDir, port);
  const recorded = Number.parseInt(await readFile(pidFile, "utf8").catch(() => ""), 10);
  if (recorded > 0 && (await isForwarder(recorded, path)) && (await isSocket(path)))
    return { pid: recorded, path };
  const proc = spawn(
    "ip",
    [
      "netns",
      "exec",
      opts.netns,
      "socat",
      `UNIX-LISTEN:${path},fork,unlink-early,mode=600`,
      `TCP:${opts.host}:${port},nodelay,connect-timeout=1`,
    ],
    { detached: true, stdio: ["ignore", "ignore", "pipe"] },
  );
  proc.unref();
  let stderr = "";
  proc.stderr?.on("data", (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-2000);
  });
  (proc.stderr as { unref?: () => void } | null)?.unref?.();
  const pid = await new Promise<number>((resolve, reject) => {
    proc.once("error", (err) =>
      reject(new EnvdError("dial_failed", `cannot start socat: ${err.message}`, { cause: err })),
    );
    proc.once("spawn", () => resolve(proc.pid as number));
  });
  await writeFile(pidFile, `${pid}\n`);
  await waitForSocket(path, proc, () => stderr);
  return { pid, path };
}

async function isSocket(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isSocket(),
    () => false,
  );
}

async function waitForSocket(path: string, proc: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new EnvdError(
        "dial_failed",
        `netns forwarder exited (${proc.exitCode ?? proc.signalCode}): ${stderr()}`,
      );
    }
    if (await isSocket(path)) return;
    await sleep(5);
  }
  throw new EnvdError(
    "dial_failed",
    `netns forwarder socket ${path} did not appear within ${READY_TIMEOUT_MS} ms`,
  );
}

/**
 * stopForwarders ends every forwarder serving socketDir (each as a process group: socat forks per
 * connection). Pid files find them fast; a /proc scan also finds one whose agent died between spawning
 * it and writing its pid file.
 */
export async function stopForwarders(socketDir: string): Promise<void> {
  const names = await readdir(socketDir).catch(() => [] as string[]);
  const pids = new Set<number>();
  for (const name of names) {
    const m = /^fwd-(\d+)\.pid$/.exec(name);
    if (!m) continue;
    const { path } = files(socketDir, Number(m[1]));
    const pid = Number.parseInt(await readFile(join(socketDir, name), "utf8").catch(() => ""), 10);
    if (pid > 0 && (await isForwarder(pid, path))) pids.add(pid);
  }
  const marker = `UNIX-LISTEN:${join(socketDir, "fwd-")}`;
  for (const entry of await readdir("/proc").catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const cmd = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (cmd.startsWith("socat\0") && cmd.includes(marker)) pids.add(Number(entry));
  }
  for (const pid of pids) {
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      try {
        process.kill(pid, "SIGTERM"); // not a group leader (should not happen): the process alone
      } catch {
        // already gone
      }
    }
  }
  for (const pid of pids) {
    for (let i = 0; i < 100 && existsSync(`/proc/${pid}`) && !(await isZombie(pid)); i++) await sleep(10);
  }
  for (const name of names) {
    if (/^fwd-\d+\.(pid|sock)$/.test(name)) await rm(join(socketDir, name), { force: true });
  }
}

async function isZombie(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  return stat === "" || /\) Z /.test(stat);
}
