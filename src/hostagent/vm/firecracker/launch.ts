import { chown, copyFile, link, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { VmSpec } from "../driver.js";
import { VmError } from "../errors.js";
import { isAlive, pidStartTime, type SpawnedVmm, spawnDetached } from "../proc.js";
import { FirecrackerApi } from "./api.js";
import { API_SOCK, firecrackerArgs, type JailerOptions, jailerArgv, jailerRoot } from "./jailer.js";
import type { GuestPaths } from "./sequence.js";

/** Launched is a started Firecracker: process identity, API client and both views of its files. */
export interface Launched extends SpawnedVmm {
  api: FirecrackerApi;
  /** guest are paths as Firecracker sees them; hostRoot maps them to host paths ("" unjailed). */
  guest: GuestPaths;
  hostRoot: string;
  /** console is the file that receives the guest serial console (Firecracker's stdout). */
  console: string;
}

/** hostPath turns a Firecracker-visible path into a host path. */
export function hostPath(l: Pick<Launched, "hostRoot">, p: string): string {
  return l.hostRoot ? join(l.hostRoot, p) : p;
}

/**
 * launch starts Firecracker for `spec` in its netns, directly (`ip netns exec`) or through the jailer,
 * and waits until its API socket answers. Under the jailer, images are hard-linked into the chroot.
 */
export async function launch(
  spec: VmSpec,
  opts: { binary: string; jailer?: JailerOptions; apiTimeoutMs: number },
): Promise<Launched> {
  await mkdir(spec.stateDir, { recursive: true, mode: 0o700 });
  const console = join(spec.stateDir, "console.log");
  await writeFile(console, "");
  let proc: SpawnedVmm;
  let guest: GuestPaths;
  let hostRoot = "";
  let apiSock: string;
  if (!opts.jailer) {
    apiSock = join(spec.stateDir, "fc.sock");
    guest = {
      kernel: spec.kernel,
      rootfs: spec.rootfs,
      log: join(spec.stateDir, "firecracker.log"),
      metrics: join(spec.stateDir, "metrics.json"),
      vsock: join(spec.stateDir, "vsock.sock"),
      ...(spec.initrd ? { initrd: spec.initrd } : {}),
    };
    await Promise.all([rm(apiSock, { force: true }), rm(guest.vsock, { force: true })]);
    await Promise.all([writeFile(guest.log, ""), writeFile(guest.metrics, "")]);
    const argv = [
      "ip",
      "netns",
      "exec",
      spec.network.netns,
      opts.binary,
      ...firecrackerArgs(apiSock, spec.id),
    ];
    proc = await spawnDetached(argv, console);
  } else {
    const j = opts.jailer;
    hostRoot = jailerRoot(j, spec.id);
    await rm(join(hostRoot, ".."), { recursive: true, force: true }); // stale jail of an earlier run
    await mkdir(join(hostRoot, "run"), { recursive: true });
    guest = {
      kernel: "/vmlinux",
      rootfs: "/rootfs.ext4",
      log: "/firecracker.log",
      metrics: "/metrics.json",
      vsock: "/run/vsock.sock",
      ...(spec.initrd ? { initrd: "/initrd" } : {}),
    };
    // Kernel and initrd are shared and only read (world-readable suffices); the VM's own disk is
    // handed to the jailed uid. A hard link shares the inode, so that chown applies to spec.rootfs too.
    await linkInto(spec.kernel, join(hostRoot, guest.kernel));
    await linkInto(spec.rootfs, join(hostRoot, guest.rootfs), j);
    if (spec.initrd && guest.initrd) await linkInto(spec.initrd, join(hostRoot, guest.initrd));
    for (const f of [guest.log, guest.metrics]) {
      await writeFile(join(hostRoot, f), "");
      await chown(join(hostRoot, f), j.uid, j.gid);
    }
    apiSock = join(hostRoot, API_SOCK);
    const jailer = await spawnDetached(
      jailerArgv(j, spec.id, spec.network.netns, ["--api-sock", API_SOCK]),
      console,
    );
    // --new-pid-ns: the jailer forks; the VMM's host pid lands in <root>/<exec name>.pid.
    const pid = await readPidFile(join(hostRoot, `${basename(j.execFile)}.pid`), jailer);
    proc = { pid, pidStart: await pidStartTime(pid) };
  }
  const api = new FirecrackerApi(apiSock, { timeoutMs: opts.apiTimeoutMs });
  await waitApi(api, proc);
  return { ...proc, api, guest, hostRoot, console };
}

async function linkInto(src: string, dst: string, owner?: JailerOptions): Promise<void> {
  await rm(dst, { force: true });
  try {
    await link(src, dst);
  } catch {
    await copyFile(src, dst); // hard links fail across filesystems
  }
  if (owner) await chown(dst, owner.uid, owner.gid);
}

async function readPidFile(path: string, jailer: SpawnedVmm): Promise<number> {
  for (let i = 0; i < 500; i++) {
    const text = await readFile(path, "utf8").catch(() => "");
    const pid = Number.parseInt(text, 10);
    if (pid > 0) return pid;
    if (i > 50 && !(await isAlive(jailer.pid, jailer.pidStart))) break;
    await sleep(10);
  }
  throw new VmError("boot_failed", `jailer wrote no pid file ${path}`);
}

async function waitApi(api: FirecrackerApi, proc: SpawnedVmm): Promise<void> {
  let last: unknown;
  for (let i = 0; i < 500; i++) {
    try {
      await api.describe();
      return;
    } catch (err) {
      last = err;
    }
    if (!(await isAlive(proc.pid, proc.pidStart))) {
      throw new VmError("boot_failed", "Firecracker exited before its API socket answered", { cause: last });
    }
    await sleep(10);
  }
  throw new VmError("timeout", `Firecracker API ${api.socketPath} did not answer within 5 s`, {
    cause: last,
  });
}
