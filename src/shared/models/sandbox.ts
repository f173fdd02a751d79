import type { SandboxState } from "./sandbox-state.js";

/** OnTimeout is what the lifecycle manager does when a running sandbox reaches end_at or goes idle. */
export type OnTimeout = "pause" | "destroy";

/**
 * Sandbox is one row of `sandboxes` as the control plane sees it. `env` is deliberately absent: it can
 * hold secrets, so lists never carry it; read it with getSandboxEnv when starting the VM.
 */
export interface Sandbox {
  id: string;
  teamId: string;
  hostId: string | null;
  template: string;
  state: SandboxState;
  vcpus: number;
  memMib: number;
  diskMib: number;
  metadata: Record<string, string>;
  timeoutS: number;
  idleTimeoutS: number | null;
  onTimeout: OnTimeout;
  envdAccessToken: string | null;
  snapshotLocation: string | null;
  createdAt: Date;
  startedAt: Date | null;
  pausedAt: Date | null;
  stoppedAt: Date | null;
  lastActivityAt: Date;
  /** endAt is when the running sandbox times out; reset to now + timeoutS each time it enters running. */
  endAt: Date | null;
  /** error is the reason of the `error` state. */
  error: string | null;
  /** hostUnreachableAt is set while the sandbox's host misses heartbeats (state is left as it was). */
  hostUnreachableAt: Date | null;
}

/** SandboxRow is the raw row; only this module's mappers know the column names. */
export interface SandboxRow {
  id: string;
  team_id: string;
  host_id: string | null;
  template: string;
  state: SandboxState;
  vcpus: number;
  mem_mib: number;
  disk_mib: number;
  metadata: Record<string, string>;
  timeout_s: number;
  idle_timeout_s: number | null;
  on_timeout: OnTimeout;
  envd_access_token: string | null;
  snapshot_location: string | null;
  created_at: Date;
  started_at: Date | null;
  paused_at: Date | null;
  stopped_at: Date | null;
  last_activity_at: Date;
  end_at: Date | null;
  error: string | null;
  host_unreachable_at: Date | null;
}

/** SANDBOX_COLUMNS is what every sandbox query returns — every column except env and the lease. */
export const SANDBOX_COLUMNS = [
  "id",
  "team_id",
  "host_id",
  "template",
  "state",
  "vcpus",
  "mem_mib",
  "disk_mib",
  "metadata",
  "timeout_s",
  "idle_timeout_s",
  "on_timeout",
  "envd_access_token",
  "snapshot_location",
  "created_at",
  "started_at",
  "paused_at",
  "stopped_at",
  "last_activity_at",
  "end_at",
  "error",
  "host_unreachable_at",
] as const;

/** toSandbox maps a row to the model. */
export function toSandbox(r: SandboxRow): Sandbox {
  return {
    id: r.id,
    teamId: r.team_id,
    hostId: r.host_id,
    template: r.template,
    state: r.state,
    vcpus: r.vcpus,
    memMib: r.mem_mib,
    diskMib: r.disk_mib,
    metadata: r.metadata,
    timeoutS: r.timeout_s,
    idleTimeoutS: r.idle_timeout_s,
    onTimeout: r.on_timeout,
    envdAccessToken: r.envd_access_token,
    snapshotLocation: r.snapshot_location,
    createdAt: r.created_at,
    startedAt: r.started_at,
    pausedAt: r.paused_at,
    stoppedAt: r.stopped_at,
    lastActivityAt: r.last_activity_at,
    endAt: r.end_at,
    error: r.error,
    hostUnreachableAt: r.host_unreachable_at,
  };
}
