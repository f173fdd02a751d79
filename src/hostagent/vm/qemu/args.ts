import { join } from "node:path";
import type { VmSpec } from "../driver.js";
import type { Accelerator } from "./accel.js";

/** QEMU_BINARY is the system emulator the driver runs. */
export const QEMU_BINARY = "qemu-system-x86_64";

/** QemuPaths are the per-VM runtime files inside the state dir. */
export interface QemuPaths {
  qmp: string;
  serial: string;
  log: string;
}

/** qemuPaths names the runtime files of a VM. */
export function qemuPaths(stateDir: string): QemuPaths {
  return {
    qmp: join(stateDir, "qmp.sock"),
    serial: join(stateDir, "serial.log"),
    log: join(stateDir, "qemu.log"),
  };
}

/**
 * kernelCmdline builds the guest command line: console on the serial port, quiet (serial is slow
 * under TCG), fast exit on panic, the network from wrenn.* params, the TSC hint under TCG.
 */
export function kernelCmdline(spec: VmSpec, accel: Accelerator, tscKhz: number | undefined): string {
  const n = spec.network;
  // init_on_free zeroes freed pages, so snapshots carry them as zero pages: smaller and faster to restore.
  const parts = ["console=ttyS0", "quiet", "panic=-1", "reboot=t", "root=/dev/vda", "rw", "init_on_free=1"];
  parts.push(`wrenn.ip=${n.guestIp}/${n.prefixLen ?? 30}`);
  if (n.gatewayIp) parts.push(`wrenn.gw=${n.gatewayIp}`);
  if (accel === "tcg" && tscKhz) parts.push(`tsc_early_khz=${tscKhz}`);
  parts.push(...(spec.kernelArgs ?? []));
  return parts.join(" ");
}

/**
 * TCG_TB_CACHE_MIB bounds TCG's translated-code cache. QEMU's default (1 GiB) grows outside guest RAM
 * as code runs, until the sandbox's cgroup OOM-kills the VMM; the host agent counts this in overhead.
 */
export const TCG_TB_CACHE_MIB = 64;

/**
 * machineArgs are the device-relevant arguments; they must be identical at boot and at restore
 * (chardev paths may differ, so they are added separately by runtimeArgs).
 */
export function machineArgs(spec: VmSpec, accel: Accelerator, cmdline: string): string[] {
  const n = spec.network;
  const args = [
    "-M",
    "microvm,acpi=on",
    "-accel",
    accel === "tcg" ? `tcg,tb-size=${TCG_TB_CACHE_MIB}` : accel,
  ];
  if (accel === "kvm") args.push("-cpu", "host");
  args.push("-m", String(spec.memMiB), "-smp", String(spec.vcpus));
  args.push("-nodefaults", "-no-user-config", "-nographic", "-no-reboot");
  args.push("-kernel", spec.kernel);
  if (spec.initrd) args.push("-initrd", spec.initrd);
  args.push("-append", cmdline);
  args.push("-netdev", `tap,id=net0,ifname=${n.tap},script=no,downscript=no`);
  args.push("-device", `virtio-net-device,netdev=net0,mac=${n.mac}`);
  args.push("-drive", `if=none,id=disk0,file=${escapeOpt(spec.rootfs)},format=raw`);
  args.push("-device", "virtio-blk-device,drive=disk0");
  if (spec.vsockCid !== undefined) args.push("-device", `vhost-vsock-device,guest-cid=${spec.vsockCid}`);
  return args;
}

/** runtimeArgs add the per-run chardevs (serial log, QMP socket) and a recognisable process name. */
export function runtimeArgs(spec: VmSpec, paths: QemuPaths): string[] {
  return [
    "-name",
    `wrenn-${spec.id},process=wrenn-${spec.id}`,
    "-serial",
    `file:${paths.serial}`,
    "-qmp",
    `unix:${paths.qmp},server=on,wait=off`,
  ];
}

/** netnsArgv wraps a QEMU argv so it runs inside the sandbox netns (ip netns exec execs, same pid). */
export function netnsArgv(netns: string, qemuArgs: readonly string[]): string[] {
  return ["ip", "netns", "exec", netns, QEMU_BINARY, ...qemuArgs];
}

/** escapeOpt doubles commas, QEMU's escape inside option values (`file=a,,b` is the file "a,b"). */
export function escapeOpt(v: string): string {
  return v.replaceAll(",", ",,");
}

/** shellQuote single-quotes a path for the `exec:` migration URI, which QEMU runs through /bin/sh. */
export function shellQuote(v: string): string {
  return `'${v.replaceAll("'", `'\\''`)}'`;
}
