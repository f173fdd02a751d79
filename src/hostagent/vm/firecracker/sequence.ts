import type { VmSpec } from "../driver.js";
import type { FirecrackerApi } from "./api.js";

/** ROOT_DRIVE and NET_IFACE are the device ids every Wrenn VM uses (snapshots refer to them). */
export const ROOT_DRIVE = "rootfs";
export const NET_IFACE = "eth0";

/** GuestPaths are file paths as Firecracker sees them (chroot-relative under the jailer). */
export interface GuestPaths {
  kernel: string;
  initrd?: string;
  rootfs: string;
  log: string;
  metrics: string;
  vsock: string;
}

/** bootArgs is the guest command line: Firecracker's recommended defaults plus the wrenn.* network. */
export function bootArgs(spec: VmSpec): string {
  const n = spec.network;
  const parts = ["console=ttyS0", "reboot=k", "panic=1", "pci=off", "quiet", "root=/dev/vda", "rw"];
  parts.push(`wrenn.ip=${n.guestIp}/${n.prefixLen ?? 30}`);
  if (n.gatewayIp) parts.push(`wrenn.gw=${n.gatewayIp}`);
  parts.push(...(spec.kernelArgs ?? []));
  return parts.join(" ");
}

/** configureLogging sets the logger and metrics sinks (allowed before boot and before a snapshot load). */
export async function configureLogging(api: FirecrackerApi, p: GuestPaths): Promise<void> {
  await api.putLogger({ log_path: p.log, level: "Warning", show_level: true, show_log_origin: false });
  await api.putMetrics({ metrics_path: p.metrics });
}

/** configureAndStart sends the boot-time configuration in API order and starts the guest. */
export async function configureAndStart(api: FirecrackerApi, spec: VmSpec, p: GuestPaths): Promise<void> {
  await configureLogging(api, p);
  await api.putMachineConfig({ vcpu_count: spec.vcpus, mem_size_mib: spec.memMiB, smt: false });
  await api.putBootSource({
    kernel_image_path: p.kernel,
    boot_args: bootArgs(spec),
    ...(p.initrd ? { initrd_path: p.initrd } : {}),
  });
  await api.putDrive({
    drive_id: ROOT_DRIVE,
    path_on_host: p.rootfs,
    is_root_device: true,
    is_read_only: false,
  });
  await api.putNetworkInterface({
    iface_id: NET_IFACE,
    host_dev_name: spec.network.tap,
    guest_mac: spec.network.mac,
  });
  if (spec.vsockCid !== undefined) await api.putVsock({ guest_cid: spec.vsockCid, uds_path: p.vsock });
  await api.action({ action_type: "InstanceStart" });
}

/** createSnapshot pauses the VM and writes a full snapshot (device state + memory). */
export async function createSnapshot(
  api: FirecrackerApi,
  files: { state: string; memory: string },
  timeoutMs: number,
): Promise<void> {
  await api.patchVm({ state: "Paused" });
  await api.createSnapshot(
    { snapshot_type: "Full", snapshot_path: files.state, mem_file_path: files.memory },
    timeoutMs,
  );
}

/**
 * loadSnapshot restores into a fresh Firecracker: memory is mapped from the file (MAP_PRIVATE),
 * the TAP and vsock socket are re-pointed at this VM's, and the guest resumes at once.
 */
export async function loadSnapshot(
  api: FirecrackerApi,
  spec: VmSpec,
  p: GuestPaths,
  files: { state: string; memory: string },
  timeoutMs: number,
): Promise<void> {
  await configureLogging(api, p);
  await api.loadSnapshot(
    {
      snapshot_path: files.state,
      mem_backend: { backend_type: "File", backend_path: files.memory },
      resume_vm: true,
      network_overrides: [{ iface_id: NET_IFACE, host_dev_name: spec.network.tap }],
      ...(spec.vsockCid !== undefined ? { vsock_override: { uds_path: p.vsock } } : {}),
    },
    timeoutMs,
  );
}
