/** HostState: healthy hosts take new sandboxes; draining ones keep theirs but get no new ones. */
export type HostState = "healthy" | "unhealthy" | "draining";

/** Host is one host agent as the scheduler sees it. used* are the control plane's reservations. */
export interface Host {
  id: string;
  address: string;
  state: HostState;
  vcpus: number;
  memMib: number;
  diskMib: number;
  usedVcpus: number;
  usedMemMib: number;
  usedDiskMib: number;
  /** sandboxes is the VM count the agent last reported. */
  sandboxes: number;
  /** accelerator is the agent's VMM acceleration (e.g. "kvm", "tcg"). */
  accelerator: string | null;
  labels: Record<string, string>;
  lastHeartbeatAt: Date;
  createdAt: Date;
}

/** HostRow is the raw `hosts` row. */
export interface HostRow {
  id: string;
  address: string;
  state: HostState;
  vcpus: number;
  mem_mib: number;
  disk_mib: number;
  used_vcpus: number;
  used_mem_mib: number;
  used_disk_mib: number;
  sandboxes: number;
  accelerator: string | null;
  labels: Record<string, string>;
  last_heartbeat_at: Date;
  created_at: Date;
}

/** toHost maps a row to the model. */
export function toHost(r: HostRow): Host {
  return {
    id: r.id,
    address: r.address,
    state: r.state,
    vcpus: r.vcpus,
    memMib: r.mem_mib,
    diskMib: r.disk_mib,
    usedVcpus: r.used_vcpus,
    usedMemMib: r.used_mem_mib,
    usedDiskMib: r.used_disk_mib,
    sandboxes: r.sandboxes,
    accelerator: r.accelerator,
    labels: r.labels,
    lastHeartbeatAt: r.last_heartbeat_at,
    createdAt: r.created_at,
  };
}

/** Resources is a sandbox's size, the unit the scheduler reserves on a host. */
export interface Resources {
  vcpus: number;
  memMib: number;
  diskMib: number;
}
