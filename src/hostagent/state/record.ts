import { SANDBOX_STATES, type SandboxState } from "../../shared/states/index.js";
import { StateError } from "./errors.js";

export { SANDBOX_STATES, type SandboxState };

/** StartMethod records how the VM came up, so create latency can be attributed. */
export type StartMethod = "boot" | "template-snapshot" | "resume";

/** NetworkSlotRecord is what a restart needs to find (and later free) the sandbox's network slot. */
export interface NetworkSlotRecord {
  slot: number;
  netns: string;
  tap?: string;
  hostCidr?: string;
  guestIp?: string;
  mac?: string;
}

/** VmRecord is the VMM process to re-adopt after a host-agent restart. */
export interface VmRecord {
  kind: "qemu" | "firecracker";
  pid: number;
  /** pidStart guards against pid reuse (process start time in clock ticks). */
  pidStart?: number;
  qmpSocket?: string;
  apiSocket?: string;
  stateDir: string;
}

/** SnapshotRecord points at the local snapshot a paused sandbox resumes from. */
export interface SnapshotRecord {
  dir: string;
  memory: string;
  state?: string;
  disk?: string;
  manifest: string;
  /** remoteKey is set once a hibernated snapshot lives in the object store. */
  remoteKey?: string;
}

/** EgressPolicy is the sandbox's outbound allow/deny list (CIDRs or addresses), E2B `network` style. */
export interface EgressPolicy {
  allowOut: string[];
  denyOut: string[];
}

/**
 * SandboxRecord is one sandbox as the host agent knows it, persisted so a restart can re-adopt it.
 * Secrets (envd access token, env vars) are not here: they live in the 0600 secrets file.
 * Fields this version does not know are kept as they are, so older agents do not drop newer data.
 */
export interface SandboxRecord {
  version: 1;
  id: string;
  template: string;
  state: SandboxState;
  vcpus: number;
  memMiB: number;
  diskMiB: number;
  metadata: Record<string, string>;
  network?: NetworkSlotRecord;
  diskPath?: string;
  vm?: VmRecord;
  snapshot?: SnapshotRecord;
  createdAt: string;
  startedAt?: string;
  pausedAt?: string;
  error?: string;
  startMethod?: StartMethod;
  egress?: EgressPolicy;
  [extra: string]: unknown;
}

const isStr = (v: unknown): v is string => typeof v === "string";
const isInt = (v: unknown): v is number => Number.isInteger(v);
const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * parseRecord checks the fields a restart relies on and returns the record with unknown fields
 * kept; it throws `invalid_record` naming the first bad field.
 */
export function parseRecord(value: unknown): SandboxRecord {
  if (!isObj(value)) throw bad("record is not an object");
  const r = value;
  if (r.version !== 1) throw bad(`unsupported version ${JSON.stringify(r.version)}`);
  for (const k of ["id", "template", "createdAt"] as const)
    if (!isStr(r[k])) throw bad(`${k} must be a string`);
  if (!isStr(r.state) || !(SANDBOX_STATES as readonly string[]).includes(r.state)) throw bad("bad state");
  for (const k of ["vcpus", "memMiB", "diskMiB"] as const) {
    const v = r[k];
    if (!isInt(v) || v < 0) throw bad(`${k} must be a non-negative integer`);
  }
  if (!isObj(r.metadata) || !Object.values(r.metadata).every(isStr))
    throw bad("metadata must map to strings");
  if (r.vm !== undefined && !(isObj(r.vm) && isInt(r.vm.pid) && isStr(r.vm.stateDir))) throw bad("bad vm");
  if (r.network !== undefined && !(isObj(r.network) && isInt(r.network.slot) && isStr(r.network.netns)))
    throw bad("bad network");
  if (r.snapshot !== undefined && !(isObj(r.snapshot) && isStr(r.snapshot.dir) && isStr(r.snapshot.memory)))
    throw bad("bad snapshot");
  return r as SandboxRecord;
}

function bad(why: string): StateError {
  return new StateError("invalid_record", why);
}
