import type { CgroupManager } from "../cgroups/index.js";
import type { EnvdClient, EnvdDialer } from "../envdclient/index.js";
import type { TemplateStore } from "../filesystem/index.js";
import type { HostMetrics } from "../metrics/index.js";
import type { NetworkManager } from "../network/index.js";
import type { StateStore } from "../state/index.js";
import type { VmmDriver } from "../vm/index.js";
import type { HostCapacity } from "./capacity.js";
import { create } from "./create.js";
import { destroy } from "./destroy.js";
import { SandboxError } from "./errors.js";
import { EventBus } from "./events.js";
import { KeyedLock } from "./locks.js";
import { startMonitor } from "./monitor.js";
import { pause, resume } from "./pause-resume.js";
import { type RecoveryReport, recover } from "./recover.js";
import { type Ctx, type Images, type Logger, type Sandbox, toInfo } from "./sandbox.js";
import { hostStatus } from "./status.js";
import { TemplateSnapshots } from "./template-snapshot.js";
import type { SandboxManager } from "./types.js";

/** ManagerOptions are the opened host modules and the host's limits. */
export interface ManagerOptions {
  hostId: string;
  stateDir: string;
  driver: VmmDriver;
  network: NetworkManager;
  cgroups: CgroupManager;
  store: StateStore;
  templates: TemplateStore;
  images: Images;
  capacity: HostCapacity;
  metrics?: HostMetrics;
  log?: Logger;
  /** templateSnapshots false makes every create a cold boot (default true). */
  templateSnapshots?: boolean;
  bootTimeoutMs?: number;
  restoreTimeoutMs?: number;
  monitor?: { exitPollMs?: number; usagePollMs?: number };
}

/** HostSandboxManager is the real SandboxManager plus the agent's start-up and shutdown hooks. */
export interface HostSandboxManager extends SandboxManager {
  /** recovery is what start-up found (re-adopted, lost, cleaned). */
  readonly recovery: RecoveryReport;
  /** drain makes status report draining (the control plane stops scheduling here). */
  drain(): void;
  /** usage samples every sandbox's cgroup (metrics scrape). */
  usageSamples(): Promise<Array<{ id: string; cpuSeconds: number; memoryBytes: number; oomKills: number }>>;
  /** detach stops watching and lets go of every VM, leaving them running for the next agent. */
  detach(): Promise<void>;
}

const quiet: Logger = { info: () => {}, warn: () => {} };

/**
 * createSandboxManager recovers the state directory (re-adopting VMs a previous agent left) and
 * returns the manager. Operations on one sandbox are serialised; different sandboxes run in parallel.
 */
export async function createSandboxManager(o: ManagerOptions): Promise<HostSandboxManager> {
  const ctx: Ctx = {
    stateDir: o.stateDir,
    driver: o.driver,
    network: o.network,
    cgroups: o.cgroups,
    store: o.store,
    images: o.images,
    sandboxes: new Map<string, Sandbox>(),
    lock: new KeyedLock(),
    bus: new EventBus(),
    log: o.log ?? quiet,
    bootTimeoutMs: o.bootTimeoutMs ?? 120_000,
    restoreTimeoutMs: o.restoreTimeoutMs ?? 60_000,
    envdVersion: { last: "" },
  };
  const snapshots = new TemplateSnapshots(ctx, o.templates);
  const recovery = await recover(ctx, snapshots);
  const stopMonitor = startMonitor(ctx, o.monitor);
  let draining = false;
  const m = o.metrics;
  const running = (id: string): Sandbox => {
    const s = ctx.sandboxes.get(id);
    if (!s) throw new SandboxError("not_found", `sandbox ${id} not found`);
    if (s.state !== "running" || !s.vm || !s.client)
      throw new SandboxError("wrong_state", `sandbox ${id} is ${s.state}, not running`);
    return s;
  };
  const createDeps = {
    templates: o.templates,
    snapshots,
    capacity: o.capacity,
    templateSnapshots: o.templateSnapshots ?? true,
    onCreated: (method: "boot" | "template-snapshot" | "resume", sec: number) => {
      if (method === "resume") return;
      m?.observeCreate(method, sec);
      if (method === "boot") m?.observeBoot(sec);
    },
  };
  return {
    recovery,
    create: (input, signal) => {
      if (draining) return Promise.reject(new SandboxError("unavailable", "host is draining"));
      return create(ctx, createDeps, input, signal);
    },
    get: (id) => {
      const s = ctx.sandboxes.get(id);
      if (!s) throw new SandboxError("not_found", `sandbox ${id} not found`);
      return toInfo(s);
    },
    list: () => [...ctx.sandboxes.values()].map(toInfo),
    destroy: (id) => destroy(ctx, id),
    pause: (id) => pause(ctx, id, (s) => m?.observePause(s)),
    resume: (id) => resume(ctx, o.capacity, id, (s) => m?.observeResume(s)),
    envd: (id): EnvdClient => running(id).client as EnvdClient,
    dialer: (id): EnvdDialer => {
      const s = running(id);
      return ctx.driver.dialer(s.vm as NonNullable<Sandbox["vm"]>);
    },
    status: () =>
      hostStatus(ctx, {
        hostId: o.hostId,
        capacity: o.capacity,
        templates: o.templates,
        draining: () => draining,
      }),
    events: (signal) => ctx.bus.subscribe(signal),
    drain: () => {
      draining = true;
    },
    usageSamples: async () => {
      const out = [];
      for (const s of ctx.sandboxes.values()) {
        const u = await s.cgroup?.usage().catch(() => null);
        if (u)
          out.push({ id: s.id, cpuSeconds: u.cpuSeconds, memoryBytes: u.memoryBytes, oomKills: u.oomKills });
      }
      return out;
    },
    detach: async () => {
      draining = true;
      await stopMonitor();
      await ctx.lock.idle();
      for (const s of ctx.sandboxes.values()) {
        await s.client?.close().catch(() => {});
        s.client = undefined;
        if (s.vm) await ctx.driver.detach(s.vm).catch(() => {});
      }
      ctx.bus.close();
    },
  };
}
