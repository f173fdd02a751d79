import { join } from "node:path";
import type { Logger as SharedLogger } from "../../shared/log/index.js";
import type { CgroupManager, SandboxCgroup } from "../cgroups/index.js";
import type { EnvdClient } from "../envdclient/index.js";
import type { NetworkManager, NetworkSlot } from "../network/index.js";
import type { SandboxRecord, StateStore } from "../state/index.js";
import type { SnapshotFiles, VmHandle, VmmDriver, VmSpec } from "../vm/index.js";
import type { EventBus } from "./events.js";
import type { KeyedLock } from "./locks.js";
import type { SandboxInfo, SandboxStateName } from "./types.js";

/**
 * Sandbox is the manager's in-memory view of one sandbox: its info plus the live handles. The
 * address is not stored: toInfo derives it from the network slot.
 */
export interface Sandbox extends Omit<SandboxInfo, "sandboxIp"> {
  slot?: NetworkSlot | undefined;
  vm?: VmHandle | undefined;
  client?: EnvdClient | undefined;
  cgroup?: SandboxCgroup | undefined;
  snapshot?: SnapshotFiles | undefined;
  oomKills: number;
}

/** Images are the boot files every VM of this host uses. */
export interface Images {
  kernel: string;
  initrd?: string | undefined;
}

/** Logger is the few log calls the manager makes (main.ts prints JSON lines; tests stay quiet). */
export type Logger = Pick<SharedLogger, "info" | "warn">;

/** Ctx is what the lifecycle operations share: the host's modules plus the sandbox table. */
export interface Ctx {
  stateDir: string;
  driver: VmmDriver;
  network: NetworkManager;
  cgroups: CgroupManager;
  store: StateStore;
  images: Images;
  sandboxes: Map<string, Sandbox>;
  lock: KeyedLock;
  bus: EventBus;
  log: Logger;
  /** bootTimeoutMs bounds a cold boot until envd answers (TCG on a busy host is slow). */
  bootTimeoutMs: number;
  /** restoreTimeoutMs bounds a snapshot restore until envd answers. */
  restoreTimeoutMs: number;
  envdVersion: { last: string };
}

/** sandboxDir holds one sandbox's disk, VM runtime files and pause snapshot. */
export function sandboxDir(stateDir: string, id: string): string {
  return join(stateDir, "sandboxes", id);
}

/** vmSpec builds the VM spec of a sandbox (or a template build) in a network slot. */
export function vmSpec(
  ctx: Pick<Ctx, "images">,
  o: { id: string; dir: string; vcpus: number; memMiB: number; slot: NetworkSlot },
): VmSpec {
  return {
    id: o.id,
    kernel: ctx.images.kernel,
    ...(ctx.images.initrd ? { initrd: ctx.images.initrd } : {}),
    rootfs: join(o.dir, "rootfs.ext4"),
    vcpus: o.vcpus,
    memMiB: o.memMiB,
    network: {
      netns: o.slot.netns,
      tap: o.slot.tapName,
      mac: o.slot.guestMac,
      guestIp: o.slot.fixedGuestIp,
      gatewayIp: o.slot.tapIp,
      prefixLen: o.slot.guestPrefixLen,
    },
    stateDir: join(o.dir, "vm"),
  };
}

/** toInfo renders the public view of a sandbox. */
export function toInfo(s: Sandbox): SandboxInfo {
  return {
    id: s.id,
    template: s.template,
    state: s.state,
    vcpus: s.vcpus,
    memMiB: s.memMiB,
    diskMiB: s.diskMiB,
    metadata: { ...s.metadata },
    sandboxIp: s.slot?.sandboxIp ?? "",
    envdVersion: s.envdVersion,
    createdAt: s.createdAt,
    startedAt: s.startedAt,
    ...(s.pausedAt ? { pausedAt: s.pausedAt } : {}),
    ...(s.error ? { error: s.error } : {}),
    startMethod: s.startMethod,
    egress: { ...s.egress },
  };
}

/** toRecord renders the persisted record (secrets excluded; they live in the 0600 secrets file). */
export function toRecord(s: Sandbox, stateDir: string): SandboxRecord {
  const dir = sandboxDir(stateDir, s.id);
  return {
    version: 1,
    id: s.id,
    template: s.template,
    state: s.state,
    vcpus: s.vcpus,
    memMiB: s.memMiB,
    diskMiB: s.diskMiB,
    metadata: s.metadata,
    ...(s.slot
      ? {
          network: {
            slot: s.slot.index,
            netns: s.slot.netns,
            tap: s.slot.tapName,
            guestIp: s.slot.fixedGuestIp,
            mac: s.slot.guestMac,
            hostCidr: `${s.slot.hostIp}/30`,
          },
        }
      : {}),
    diskPath: join(dir, "rootfs.ext4"),
    ...(s.vm
      ? { vm: { kind: s.vm.kind, pid: s.vm.pid, pidStart: s.vm.pidStart, stateDir: s.vm.spec.stateDir } }
      : {}),
    ...(s.snapshot ? { snapshot: { ...s.snapshot } } : {}),
    createdAt: s.createdAt.toISOString(),
    startedAt: s.startedAt.toISOString(),
    ...(s.pausedAt ? { pausedAt: s.pausedAt.toISOString() } : {}),
    ...(s.error ? { error: s.error } : {}),
    startMethod: s.startMethod,
    egress: { allowOut: s.egress.allowCidrs, denyOut: s.egress.denyCidrs },
    egressBlockAll: s.egress.blockAll,
    envdVersion: s.envdVersion,
  };
}

/** fromRecord rebuilds the in-memory sandbox after a restart (live handles are attached later). */
export function fromRecord(r: SandboxRecord): Sandbox {
  return {
    id: r.id,
    template: r.template,
    state: r.state,
    vcpus: r.vcpus,
    memMiB: r.memMiB,
    diskMiB: r.diskMiB,
    metadata: r.metadata,
    egress: {
      allowCidrs: r.egress?.allowOut ?? [],
      denyCidrs: r.egress?.denyOut ?? [],
      blockAll: r.egressBlockAll === true,
    },
    createdAt: new Date(r.createdAt),
    startedAt: new Date(r.startedAt ?? r.createdAt),
    pausedAt: r.pausedAt ? new Date(r.pausedAt) : undefined,
    error: r.error,
    startMethod: r.startMethod ?? "boot",
    envdVersion: typeof r.envdVersion === "string" ? r.envdVersion : "",
    snapshot: r.snapshot ? { ...r.snapshot } : undefined,
    oomKills: 0,
  };
}

/** setState changes a sandbox's state and publishes the transition. */
export function setState(ctx: Pick<Ctx, "bus">, s: Sandbox, to: SandboxStateName, reason: string): void {
  const from = s.state;
  s.state = to;
  if (from !== to) ctx.bus.publish({ sandboxId: s.id, at: new Date(), kind: "state", from, to, reason });
}

/** persist writes the sandbox's record. */
export function persist(ctx: Pick<Ctx, "store" | "stateDir">, s: Sandbox): Promise<void> {
  return ctx.store.put(toRecord(s, ctx.stateDir));
}
