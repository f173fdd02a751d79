import { access, mkdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type EnvdDialer, netnsTcpDialer } from "../../envdclient/index.js";
import { copyDisk } from "../disk.js";
import type { BootOptions, SnapshotFiles, SnapshotOptions, VmHandle, VmmDriver, VmSpec } from "../driver.js";
import { phaseError, throwIfAborted, toVmError, VmError, type VmErrorCode } from "../errors.js";
import { diffFingerprints, fingerprint } from "../fingerprint.js";
import { assertImages, assertSpec } from "../images.js";
import { isAlive, spawnDetached, stopVmm, tailFile } from "../proc.js";
import { readState, removeState, writeState } from "../state.js";
import { awaitReady } from "../watch.js";
import { type AcceleratorChoice, detectAccelerator, hostTscKhz } from "./accel.js";
import { kernelCmdline, machineArgs, netnsArgv, qemuPaths, runtimeArgs, shellQuote } from "./args.js";
import { MANIFEST_VERSION, readManifest, writeManifest } from "./manifest.js";
import { migrateToFile, qemuVersion, waitIncoming } from "./migrate.js";
import { QmpClient } from "./qmp.js";

/** MACHINE is the QEMU machine type; it is part of every snapshot's fingerprint. */
const MACHINE = "microvm,acpi=on";

/** QemuDriverOptions override detection (tests, host config) and bound long operations. */
export interface QemuDriverOptions {
  accel?: AcceleratorChoice;
  tscKhz?: number;
  snapshotTimeoutMs?: number;
  restoreTimeoutMs?: number;
}

/**
 * QemuDriver runs each VM as `ip netns exec <ns> qemu-system-x86_64 -M microvm` in its own process
 * group, controlled over QMP. It is the backend for hosts without a usable KVM (TCG) and for CI.
 */
export class QemuDriver implements VmmDriver {
  readonly kind = "qemu" as const;
  readonly #opts: QemuDriverOptions;
  #accel: Promise<AcceleratorChoice> | undefined;
  readonly #qmp = new Map<string, QmpClient>();
  readonly #connecting = new Map<string, Promise<QmpClient>>();
  readonly #dialers = new Map<string, EnvdDialer>();

  constructor(opts: QemuDriverOptions = {}) {
    this.#opts = opts;
  }

  /** accelerator is the detected (or configured) accelerator and why; hosts report it in status. */
  accelerator(): Promise<AcceleratorChoice> {
    this.#accel ??= this.#opts.accel ? Promise.resolve(this.#opts.accel) : detectAccelerator();
    return this.#accel;
  }

  async boot(spec: VmSpec, opts: BootOptions = {}): Promise<VmHandle> {
    await this.#check(spec);
    await assertImages(spec);
    const { accel } = await this.accelerator();
    const cmdline = kernelCmdline(spec, accel, this.#opts.tscKhz ?? (await hostTscKhz()));
    const h = await this.#start(spec, accel, cmdline, [], opts, "boot_failed");
    await this.#ready(h, opts, "boot_failed");
    return h;
  }

  async pause(h: VmHandle): Promise<void> {
    await this.#command(h, "stop");
  }

  async resume(h: VmHandle): Promise<void> {
    await this.#command(h, "cont");
  }

  async snapshot(h: VmHandle, dir: string, opts: SnapshotOptions = {}): Promise<SnapshotFiles> {
    const st = await readState(h.spec.stateDir, "qemu");
    if (!st) throw new VmError("not_found", `VM ${h.id}: no state file`);
    await mkdir(dir, { recursive: true });
    const files: SnapshotFiles = {
      dir,
      memory: join(dir, "memory.bin"),
      manifest: join(dir, "manifest.json"),
    };
    await rm(files.manifest, { force: true }); // an old manifest must not vouch for new, partial files
    await rm(files.memory, { force: true });
    const qmp = await this.#client(h);
    try {
      await migrateToFile(qmp, files.memory, {
        timeoutMs: this.#opts.snapshotTimeoutMs ?? 600_000,
        signal: opts.signal,
      });
      if (opts.copyDisk) {
        files.disk = join(dir, "disk.img");
        await copyDisk(h.spec.rootfs, files.disk, "snapshot_failed");
      }
      await writeManifest(files.manifest, {
        version: MANIFEST_VERSION,
        kind: "qemu",
        qemuVersion: await qemuVersion(),
        accel: st.backend.accel === "kvm" ? "kvm" : "tcg",
        cmdline: st.backend.cmdline ?? "",
        fingerprint: await fingerprint(h.spec, MACHINE),
        memory: { file: "memory.bin", size: (await stat(files.memory)).size },
        createdAt: new Date().toISOString(),
      });
    } catch (err) {
      throw vmmError(err, "snapshot_failed", `snapshot of VM ${h.id}`);
    }
    return files;
  }

  async restore(spec: VmSpec, snap: SnapshotFiles, opts: BootOptions = {}): Promise<VmHandle> {
    await this.#check(spec);
    const m = await readManifest(snap.manifest);
    const memSize = await stat(snap.memory).then(
      (s) => s.size,
      () => -1,
    );
    if (memSize !== m.memory.size) {
      throw new VmError(
        "invalid_snapshot",
        `${snap.memory}: ${memSize < 0 ? "missing" : `size ${memSize}`}, manifest says ${m.memory.size}`,
      );
    }
    if (m.qemuVersion !== (await qemuVersion())) {
      throw new VmError(
        "invalid_snapshot",
        `snapshot from "${m.qemuVersion}", this host runs "${await qemuVersion()}"`,
      );
    }
    const { accel } = await this.accelerator();
    if (m.accel !== accel)
      throw new VmError("invalid_snapshot", `snapshot taken under ${m.accel}, this host uses ${accel}`);
    if (snap.disk) await copyDisk(snap.disk, spec.rootfs, "restore_failed");
    await assertImages(spec);
    const diffs = diffFingerprints(m.fingerprint, await fingerprint(spec, MACHINE));
    if (diffs.length > 0) {
      throw new VmError("invalid_snapshot", `snapshot does not fit VM ${spec.id}: ${diffs.join("; ")}`);
    }
    const incoming = ["-incoming", `exec:cat ${shellQuote(snap.memory)}`];
    const h = await this.#start(spec, accel, m.cmdline, incoming, opts, "restore_failed");
    try {
      const qmp = await this.#client(h);
      const status = await waitIncoming(qmp, {
        timeoutMs: this.#opts.restoreTimeoutMs ?? 120_000,
        signal: opts.signal,
        alive: () => isAlive(h.pid, h.pidStart),
      });
      if (status !== "running") await qmp.execute("cont");
    } catch (err) {
      throw await this.#fail(h, err, "restore_failed", "restore");
    }
    await this.#ready(h, opts, "restore_failed");
    return h;
  }

  async stop(h: VmHandle, opts: { graceMs?: number } = {}): Promise<void> {
    const qmp = await this.#client(h).catch(() => undefined);
    // `quit` may close the socket before replying: don't wait for the reply.
    qmp?.send("quit");
    await stopVmm(h.pid, h.pidStart, qmp ? (opts.graceMs ?? 3000) : 0);
    await this.#forget(h);
  }

  async detach(h: VmHandle): Promise<void> {
    this.#qmp.get(h.spec.stateDir)?.close();
    this.#qmp.delete(h.spec.stateDir);
    await this.#dialers.get(h.spec.stateDir)?.close();
    this.#dialers.delete(h.spec.stateDir);
  }

  async adopt(stateDir: string): Promise<VmHandle | null> {
    const st = await readState(stateDir, "qemu");
    if (!st) return null;
    const h = st.handle;
    if (!(await isAlive(h.pid, h.pidStart))) {
      await this.#forget(h);
      return null;
    }
    await this.#client(h);
    return h;
  }

  dialer(h: VmHandle): EnvdDialer {
    let d = this.#dialers.get(h.spec.stateDir);
    if (!d) {
      const n = h.spec.network;
      d = netnsTcpDialer({ netns: n.netns, host: n.guestIp, socketDir: h.spec.stateDir });
      this.#dialers.set(h.spec.stateDir, d);
    }
    return d;
  }

  /** #check validates the spec; a vsock device needs the host's vhost-vsock (absent on PVM hosts). */
  async #check(spec: VmSpec): Promise<void> {
    assertSpec(spec);
    if (
      spec.vsockCid !== undefined &&
      !(await access("/dev/vhost-vsock").then(
        () => true,
        () => false,
      ))
    ) {
      throw new VmError(
        "invalid_spec",
        `VM ${spec.id}: vsockCid needs /dev/vhost-vsock, which this host lacks`,
      );
    }
  }

  async #start(
    spec: VmSpec,
    accel: "kvm" | "tcg",
    cmdline: string,
    extra: string[],
    opts: BootOptions,
    code: VmErrorCode,
  ): Promise<VmHandle> {
    throwIfAborted(opts.signal, `start VM ${spec.id}`);
    const paths = qemuPaths(spec.stateDir);
    await mkdir(spec.stateDir, { recursive: true, mode: 0o700 });
    await rm(paths.qmp, { force: true });
    await writeFile(paths.serial, "");
    await writeFile(paths.log, "");
    const argv = netnsArgv(spec.network.netns, [
      ...machineArgs(spec, accel, cmdline),
      ...runtimeArgs(spec, paths),
      ...extra,
    ]);
    const p = await spawnDetached(argv, paths.log);
    const h: VmHandle = {
      kind: "qemu",
      id: spec.id,
      pid: p.pid,
      pidStart: p.pidStart,
      spec,
      serialLog: paths.serial,
    };
    try {
      const qmp = await QmpClient.connect(paths.qmp, {
        signal: opts.signal,
        alive: () => isAlive(p.pid, p.pidStart),
      });
      this.#qmp.set(spec.stateDir, qmp);
      await writeState(spec.stateDir, {
        version: 1,
        handle: h,
        backend: { qmp: paths.qmp, accel, cmdline },
        startedAt: new Date().toISOString(),
      });
    } catch (err) {
      throw await this.#fail(h, err, code, "start");
    }
    return h;
  }

  async #ready(h: VmHandle, opts: BootOptions, code: VmErrorCode): Promise<void> {
    try {
      await awaitReady(h, opts);
    } catch (err) {
      throw await this.#fail(h, err, code, "readiness");
    }
  }

  /** #fail kills the VMM, removes its runtime files and returns an error carrying the log tails. */
  async #fail(h: VmHandle, err: unknown, code: VmErrorCode, phase: string): Promise<VmError> {
    await stopVmm(h.pid, h.pidStart, 0);
    await this.#forget(h);
    const paths = qemuPaths(h.spec.stateDir);
    const qemuLog = await tailFile(paths.log, 15);
    const serial = await tailFile(paths.serial, 40);
    const detail = `--- ${paths.log} ---\n${qemuLog}\n--- ${paths.serial} (last 40 lines) ---\n${serial}`;
    const hint = `${qemuLog ? ` (qemu: ${qemuLog.split("\n").slice(-2).join(" | ")})` : ""}; serial log: ${paths.serial}`;
    return phaseError(err, code, `VM ${h.id} ${phase}`, hint, detail);
  }

  async #forget(h: VmHandle): Promise<void> {
    await this.detach(h);
    await rm(qemuPaths(h.spec.stateDir).qmp, { force: true });
    await removeState(h.spec.stateDir);
  }

  /** #client returns the VM's QMP connection, opening it once even under concurrent callers. */
  async #client(h: VmHandle): Promise<QmpClient> {
    const key = h.spec.stateDir;
    const cur = this.#qmp.get(key);
    if (cur) return cur;
    let pending = this.#connecting.get(key);
    if (!pending) {
      pending = this.#open(h).finally(() => this.#connecting.delete(key));
      this.#connecting.set(key, pending);
    }
    return pending;
  }

  async #open(h: VmHandle): Promise<QmpClient> {
    if (!(await isAlive(h.pid, h.pidStart)))
      throw new VmError("not_found", `VM ${h.id}: QEMU (pid ${h.pid}) is gone`);
    try {
      const qmp = await QmpClient.connect(qemuPaths(h.spec.stateDir).qmp, { timeoutMs: 3000 });
      qmp.once("close", () => {
        if (this.#qmp.get(h.spec.stateDir) === qmp) this.#qmp.delete(h.spec.stateDir);
      });
      this.#qmp.set(h.spec.stateDir, qmp);
      return qmp;
    } catch (err) {
      throw vmmError(err, "vmm_error", `VM ${h.id}: QMP`);
    }
  }

  async #command(h: VmHandle, cmd: string): Promise<void> {
    const qmp = await this.#client(h);
    try {
      await qmp.execute(cmd);
    } catch (err) {
      throw vmmError(err, "vmm_error", `VM ${h.id}: ${cmd}`);
    }
  }
}

/** vmmError maps QMP and other caught errors to VmError once for this driver. */
function vmmError(err: unknown, code: VmErrorCode, context: string): VmError {
  return toVmError(err, code, context);
}
