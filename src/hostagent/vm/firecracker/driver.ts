import { copyFile, link, mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { type EnvdDialer, netnsTcpDialer, vsockUdsDialer } from "../../envdclient/index.js";
import { copyDisk } from "../disk.js";
import type { BootOptions, SnapshotFiles, SnapshotOptions, VmHandle, VmmDriver, VmSpec } from "../driver.js";
import { phaseError, toVmError, VmError, type VmErrorCode } from "../errors.js";
import { diffFingerprints, fingerprint, writeJsonAtomic } from "../fingerprint.js";
import { assertImages, assertSpec } from "../images.js";
import { isAlive, stopVmm, tailFile } from "../proc.js";
import { readState, removeState, writeState } from "../state.js";
import { awaitReady } from "../watch.js";
import { FirecrackerApi } from "./api.js";
import { type JailerOptions, jailerRoot } from "./jailer.js";
import { hostPath, type Launched, launch } from "./launch.js";
import { FC_MANIFEST_VERSION, readFcManifest } from "./manifest.js";
import { configureAndStart, createSnapshot, type GuestPaths, loadSnapshot } from "./sequence.js";

const MACHINE = "firecracker";

/** FirecrackerDriverOptions choose the binary, the optional jailer and API timeouts. */
export interface FirecrackerDriverOptions {
  /** binary is the firecracker executable (default "firecracker" on PATH; pin ≥ v1.16.1). */
  binary?: string;
  jailer?: JailerOptions;
  apiTimeoutMs?: number;
  snapshotTimeoutMs?: number;
}

/**
 * FirecrackerDriver runs each VM as one Firecracker process (optionally jailed) in the sandbox
 * netns, configured over its REST API; envd is reached over hybrid vsock when a CID is set.
 */
export class FirecrackerDriver implements VmmDriver {
  readonly kind = "firecracker" as const;
  readonly #o: Required<Pick<FirecrackerDriverOptions, "binary" | "apiTimeoutMs" | "snapshotTimeoutMs">> &
    FirecrackerDriverOptions;
  readonly #dialers = new Map<string, EnvdDialer>();

  constructor(opts: FirecrackerDriverOptions = {}) {
    this.#o = { binary: "firecracker", apiTimeoutMs: 10_000, snapshotTimeoutMs: 600_000, ...opts };
  }

  async boot(spec: VmSpec, opts: BootOptions = {}): Promise<VmHandle> {
    this.#check(spec);
    await assertImages(spec);
    const l = await this.#launch(spec, "boot_failed");
    const h = await this.#record(spec, l);
    try {
      await configureAndStart(l.api, spec, l.guest);
      await awaitReady(h, opts);
    } catch (err) {
      throw await this.#fail(h, err, "boot_failed");
    }
    return h;
  }

  async pause(h: VmHandle): Promise<void> {
    await this.#call(h, (api) => api.patchVm({ state: "Paused" }));
  }

  async resume(h: VmHandle): Promise<void> {
    await this.#call(h, (api) => api.patchVm({ state: "Resumed" }));
  }

  async snapshot(h: VmHandle, dir: string, opts: SnapshotOptions = {}): Promise<SnapshotFiles> {
    const st = await this.#state(h);
    const files: SnapshotFiles = {
      dir,
      memory: join(dir, "memory.bin"),
      state: join(dir, "vmstate.bin"),
      manifest: join(dir, "manifest.json"),
    };
    await mkdir(dir, { recursive: true });
    await rm(files.manifest, { force: true });
    const jailed = st.hostRoot !== "";
    // Under the jailer Firecracker writes inside its chroot; the files are moved out afterwards.
    const fcFiles = jailed
      ? { state: "/snapshot.vmstate", memory: "/snapshot.mem" }
      : (files as { state: string; memory: string });
    try {
      await createSnapshot(st.api, fcFiles, this.#o.snapshotTimeoutMs);
      if (jailed) {
        await moveFile(hostPath(st, fcFiles.state), files.state as string);
        await moveFile(hostPath(st, fcFiles.memory), files.memory);
      }
      if (opts.copyDisk) {
        files.disk = join(dir, "disk.img");
        await copyDisk(h.spec.rootfs, files.disk, "snapshot_failed");
      }
      await writeJsonAtomic(files.manifest, {
        version: FC_MANIFEST_VERSION,
        kind: "firecracker",
        vmmVersion: (await st.api.describe()).vmm_version,
        rootfs: st.guest.rootfs,
        fingerprint: await fingerprint(h.spec, MACHINE),
        memory: { file: "memory.bin", size: (await stat(files.memory)).size },
        state: { file: "vmstate.bin", size: (await stat(files.state as string)).size },
        createdAt: new Date().toISOString(),
      });
    } catch (err) {
      throw toError(err, "snapshot_failed", `snapshot of VM ${h.id}`);
    }
    return files;
  }

  async restore(spec: VmSpec, snap: SnapshotFiles, opts: BootOptions = {}): Promise<VmHandle> {
    this.#check(spec);
    const m = await readFcManifest(snap.manifest);
    for (const [what, path, want] of [
      ["memory", snap.memory, m.memory.size],
      ["state", snap.state ?? "", m.state.size],
    ] as const) {
      const size = await stat(path).then(
        (s) => s.size,
        () => -1,
      );
      if (size !== want)
        throw new VmError("invalid_snapshot", `${what} file ${path}: size ${size}, manifest says ${want}`);
    }
    if (snap.disk) await copyDisk(snap.disk, spec.rootfs, "restore_failed");
    await assertImages(spec);
    const diffs = diffFingerprints(m.fingerprint, await fingerprint(spec, MACHINE));
    if (!this.#o.jailer && m.rootfs !== spec.rootfs)
      diffs.push(`rootfs path: snapshot ${m.rootfs}, spec ${spec.rootfs}`);
    if (diffs.length > 0)
      throw new VmError("invalid_snapshot", `snapshot does not fit VM ${spec.id}: ${diffs.join("; ")}`);
    const l = await this.#launch(spec, "restore_failed");
    const h = await this.#record(spec, l);
    try {
      const version = (await l.api.describe()).vmm_version;
      if (version !== m.vmmVersion) {
        throw new VmError(
          "invalid_snapshot",
          `snapshot from Firecracker ${m.vmmVersion}, this one is ${version}`,
        );
      }
      const fcFiles = await this.#stage(l, snap);
      await loadSnapshot(l.api, spec, l.guest, fcFiles, this.#o.snapshotTimeoutMs);
      await awaitReady(h, opts);
    } catch (err) {
      throw await this.#fail(h, err, "restore_failed");
    }
    return h;
  }

  async stop(h: VmHandle, opts: { graceMs?: number } = {}): Promise<void> {
    const st = await this.#state(h).catch(() => null);
    // Ctrl-Alt-Del makes the guest reboot, which ends Firecracker (reboot=k); then escalate.
    const asked = st
      ? await st.api.action({ action_type: "SendCtrlAltDel" }).then(
          () => true,
          () => false,
        )
      : false;
    await stopVmm(h.pid, h.pidStart, asked ? (opts.graceMs ?? 1000) : 0);
    await this.#forget(h);
  }

  async detach(h: VmHandle): Promise<void> {
    await this.#dialers.get(h.spec.stateDir)?.close();
    this.#dialers.delete(h.spec.stateDir);
  }

  async adopt(stateDir: string): Promise<VmHandle | null> {
    const st = await readState(stateDir, "firecracker");
    if (!st) return null;
    if (!(await isAlive(st.handle.pid, st.handle.pidStart))) {
      await this.#forget(st.handle);
      return null;
    }
    await this.#call(st.handle, (api) => api.describe());
    return st.handle;
  }

  dialer(h: VmHandle): EnvdDialer {
    let d = this.#dialers.get(h.spec.stateDir);
    if (!d) {
      const n = h.spec.network;
      d =
        h.spec.vsockCid !== undefined
          ? vsockUdsDialer(this.#vsockHostPath(h))
          : netnsTcpDialer({ netns: n.netns, host: n.guestIp, socketDir: h.spec.stateDir });
      this.#dialers.set(h.spec.stateDir, d);
    }
    return d;
  }

  #check(spec: VmSpec): void {
    assertSpec(spec);
    if (spec.vcpus > 1 && spec.vcpus % 2 !== 0)
      throw new VmError("invalid_spec", "Firecracker needs 1 or an even vcpu count");
  }

  async #launch(spec: VmSpec, code: VmErrorCode): Promise<Launched> {
    try {
      return await launch(spec, {
        binary: this.#o.binary,
        jailer: this.#o.jailer,
        apiTimeoutMs: this.#o.apiTimeoutMs,
      });
    } catch (err) {
      const tail = await tailFile(join(spec.stateDir, "console.log"));
      throw phaseError(err, code, `VM ${spec.id}: start Firecracker`, "", tail);
    }
  }

  async #record(spec: VmSpec, l: Launched): Promise<VmHandle> {
    const h: VmHandle = {
      kind: "firecracker",
      id: spec.id,
      pid: l.pid,
      pidStart: l.pidStart,
      spec,
      serialLog: l.console,
    };
    await writeState(spec.stateDir, {
      version: 1,
      handle: h,
      backend: { apiSock: l.api.socketPath, hostRoot: l.hostRoot, guest: JSON.stringify(l.guest) },
      startedAt: new Date().toISOString(),
    });
    return h;
  }

  /** #stage makes snapshot files visible to a jailed Firecracker (hard link into the chroot). */
  async #stage(l: Launched, snap: SnapshotFiles): Promise<{ state: string; memory: string }> {
    if (!l.hostRoot) return { state: snap.state as string, memory: snap.memory };
    const staged = { state: "/snapshot.vmstate", memory: "/snapshot.mem" };
    for (const [src, dst] of [
      [snap.state as string, staged.state],
      [snap.memory, staged.memory],
    ] as const) {
      await rm(hostPath(l, dst), { force: true });
      await link(src, hostPath(l, dst)).catch(() => copyFile(src, hostPath(l, dst)));
    }
    return staged;
  }

  async #state(h: VmHandle): Promise<{ api: FirecrackerApi; hostRoot: string; guest: GuestPaths }> {
    const st = await readState(h.spec.stateDir, "firecracker");
    if (!st || !(await isAlive(h.pid, h.pidStart)))
      throw new VmError("not_found", `VM ${h.id}: Firecracker is gone`);
    const api = new FirecrackerApi(st.backend.apiSock ?? "", { timeoutMs: this.#o.apiTimeoutMs });
    return {
      api,
      hostRoot: st.backend.hostRoot ?? "",
      guest: JSON.parse(st.backend.guest ?? "{}") as GuestPaths,
    };
  }

  async #call<T>(h: VmHandle, fn: (api: FirecrackerApi) => Promise<T>): Promise<T> {
    const st = await this.#state(h);
    try {
      return await fn(st.api);
    } catch (err) {
      throw toError(err, "vmm_error", `VM ${h.id}`);
    }
  }

  #vsockHostPath(h: VmHandle): string {
    return this.#o.jailer
      ? join(jailerRoot(this.#o.jailer, h.id), "run/vsock.sock")
      : join(h.spec.stateDir, "vsock.sock");
  }

  async #fail(h: VmHandle, err: unknown, code: VmErrorCode): Promise<VmError> {
    await stopVmm(h.pid, h.pidStart, 0);
    await this.#forget(h);
    const detail = await tailFile(h.serialLog, 40);
    return phaseError(err, code, `VM ${h.id}`, `; console: ${h.serialLog}`, detail);
  }

  async #forget(h: VmHandle): Promise<void> {
    await this.detach(h);
    await rm(join(h.spec.stateDir, "fc.sock"), { force: true });
    await rm(join(h.spec.stateDir, "vsock.sock"), { force: true });
    // The jail (<base>/<exec>/<id>) holds only links to images and sockets: drop it with the VM.
    if (this.#o.jailer)
      await rm(join(jailerRoot(this.#o.jailer, h.id), ".."), { recursive: true, force: true });
    await removeState(h.spec.stateDir);
  }
}

async function moveFile(from: string, to: string): Promise<void> {
  await rename(from, to).catch(async () => {
    await copyFile(from, to);
    await rm(from, { force: true });
  });
}

/** toError maps Firecracker API and other caught errors to VmError once for this driver. */
function toError(err: unknown, code: VmErrorCode, context: string): VmError {
  return toVmError(err, code, context);
}
