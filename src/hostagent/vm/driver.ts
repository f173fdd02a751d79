import type { EnvdDialer } from "../envdclient/index.js";

/** VmmKind names a backend. */
export type VmmKind = "qemu" | "firecracker";

/** VmNetwork is the sandbox's network attachment: a TAP inside the sandbox netns, fixed guest address. */
export interface VmNetwork {
  /** netns is the `ip netns` name the VMM runs in (the TAP lives there). */
  netns: string;
  tap: string;
  /** mac is the guest NIC's MAC; it is part of the device state, so restores must reuse it. */
  mac: string;
  /** guestIp is configured in the guest via wrenn.ip= and dialed for envd. */
  guestIp: string;
  /** gatewayIp is the TAP's address (wrenn.gw=); optional. */
  gatewayIp?: string;
  /** prefixLen of guestIp (default 30). */
  prefixLen?: number;
}

/** VmSpec is everything a driver needs to boot (or restore into) one VM. */
export interface VmSpec {
  id: string;
  kernel: string;
  initrd?: string;
  /** rootfs is the VM's own disk image (a reflinked copy of the template, never the template itself). */
  rootfs: string;
  vcpus: number;
  memMiB: number;
  /** kernelArgs are appended to the driver's base command line. */
  kernelArgs?: string[];
  network: VmNetwork;
  /** vsockCid (≥3) adds a vsock device (Firecracker hybrid vsock; QEMU needs /dev/vhost-vsock). */
  vsockCid?: number;
  /** stateDir is the per-VM directory: pid, sockets, serial log, state JSON. */
  stateDir: string;
}

/** VmHandle identifies a running VMM process; it is plain data so it survives in the state file. */
export interface VmHandle {
  readonly kind: VmmKind;
  readonly id: string;
  readonly pid: number;
  /** pidStart is the process start time (clock ticks), guarding against pid reuse after restarts. */
  readonly pidStart: number;
  readonly spec: VmSpec;
  /** serialLog is the guest console file. */
  readonly serialLog: string;
}

/** SnapshotFiles lists one snapshot's files; `manifest` describes the machine it fits. */
export interface SnapshotFiles {
  dir: string;
  memory: string;
  /** state is the device-state file (Firecracker); QEMU keeps device state inside `memory`. */
  state?: string;
  manifest: string;
  /** disk is a copy of the rootfs taken with the snapshot (absent when the disk was kept in place). */
  disk?: string;
}

/** BootOptions tune boot; `ready` decides when the guest counts as booted (e.g. envd healthy). */
export interface BootOptions {
  signal?: AbortSignal;
  /** ready runs after the VMM started; if the VMM exits first, boot fails with the serial log tail. */
  ready?: (h: VmHandle, signal: AbortSignal) => Promise<void>;
}

/**
 * SnapshotOptions choose whether the disk is copied (`cp --reflink=auto`) into the snapshot. Without
 * a copy the snapshot is only valid while the disk stays untouched: stop the VM, do not resume it.
 */
export interface SnapshotOptions {
  signal?: AbortSignal;
  copyDisk?: boolean;
}

/**
 * VmmDriver is one VMM backend. After snapshot() the VM is paused; resume() or stop() it.
 * Every method throws VmError only.
 */
export interface VmmDriver {
  readonly kind: VmmKind;
  boot(spec: VmSpec, opts?: BootOptions): Promise<VmHandle>;
  pause(h: VmHandle): Promise<void>;
  resume(h: VmHandle): Promise<void>;
  snapshot(h: VmHandle, dir: string, opts?: SnapshotOptions): Promise<SnapshotFiles>;
  restore(spec: VmSpec, snap: SnapshotFiles, opts?: BootOptions): Promise<VmHandle>;
  /** stop asks the VMM to exit, then kills it after `graceMs`; it removes sockets and the state file. */
  stop(h: VmHandle, opts?: { graceMs?: number }): Promise<void>;
  /** detach drops this driver's connections to a VM and leaves it running (host-agent shutdown). */
  detach(h: VmHandle): Promise<void>;
  /** adopt re-attaches to a VMM left running by an earlier host agent, or returns null. */
  adopt(stateDir: string): Promise<VmHandle | null>;
  /** dialer opens streams to guest ports (envd) of this VM. */
  dialer(h: VmHandle): EnvdDialer;
}
