// Request bodies of the Firecracker API (swagger v1.16 field names), used by api.ts and the contract test.

/** MachineConfig is PUT /machine-config. */
export interface MachineConfig {
  vcpu_count: number;
  mem_size_mib: number;
  smt?: boolean;
  track_dirty_pages?: boolean;
  huge_pages?: "None" | "2M";
}

/** BootSource is PUT /boot-source. */
export interface BootSource {
  kernel_image_path: string;
  boot_args?: string;
  initrd_path?: string;
}

/** Drive is PUT /drives/{drive_id}. */
export interface Drive {
  drive_id: string;
  path_on_host: string;
  is_root_device: boolean;
  is_read_only: boolean;
  cache_type?: "Unsafe" | "Writeback";
  io_engine?: "Sync" | "Async";
}

/** NetworkInterface is PUT /network-interfaces/{iface_id}. */
export interface NetworkInterface {
  iface_id: string;
  host_dev_name: string;
  guest_mac?: string;
}

/** Vsock is PUT /vsock (hybrid vsock: host side is a unix socket). */
export interface Vsock {
  guest_cid: number;
  uds_path: string;
}

/** Logger is PUT /logger. */
export interface Logger {
  log_path: string;
  level?: "Error" | "Warning" | "Info" | "Debug" | "Trace" | "Off";
  show_level?: boolean;
  show_log_origin?: boolean;
}

/** Metrics is PUT /metrics. */
export interface Metrics {
  metrics_path: string;
}

/** InstanceAction is PUT /actions. */
export interface InstanceAction {
  action_type: "InstanceStart" | "SendCtrlAltDel" | "FlushMetrics";
}

/** VmStateChange is PATCH /vm. */
export interface VmStateChange {
  state: "Paused" | "Resumed";
}

/** SnapshotCreate is PUT /snapshot/create (the VM must be paused). */
export interface SnapshotCreate {
  snapshot_type?: "Full" | "Diff";
  snapshot_path: string;
  mem_file_path: string;
}

/** SnapshotLoad is PUT /snapshot/load (only in a fresh process, before any other configuration). */
export interface SnapshotLoad {
  snapshot_path: string;
  mem_backend: { backend_type: "File" | "Uffd"; backend_path: string };
  track_dirty_pages?: boolean;
  resume_vm?: boolean;
  network_overrides?: Array<{ iface_id: string; host_dev_name: string }>;
  vsock_override?: { uds_path: string };
}

/** InstanceInfo is GET / 's reply. */
export interface InstanceInfo {
  id: string;
  state: "Not started" | "Running" | "Paused";
  vmm_version: string;
  app_name: string;
}
