import { access } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { IntentRecord } from "../state/index.js";
import type { VmHandle } from "../vm/index.js";
import { teardown } from "./destroy.js";
import { newClient } from "./guest.js";
import { type Ctx, fromRecord, persist, type Sandbox, sandboxDir, setState } from "./sandbox.js";
import type { TemplateSnapshots } from "./template-snapshot.js";

/** RecoveryReport says what a start-up found and did, for the log. */
export interface RecoveryReport {
  adopted: string[];
  lost: string[];
  paused: string[];
  intentsCleaned: string[];
  templateBuildsRemoved: string[];
  strayCgroups: string[];
  network: { slots: string[]; netns: string[]; links: string[] };
  skippedFiles: string[];
}

/** LOST_REASON is the error of a sandbox whose VMM died while no agent watched it. */
export const LOST_REASON = "VMM exited while the agent was down";

/**
 * recover rebuilds the sandbox table after a start (clean or after `kill -9`): committed records
 * are loaded and their running VMMs re-adopted (exec works again); a record whose VMM is gone
 * becomes `error`; intents without a committed record are half-done creates and everything they
 * named is removed; then network slots, cgroups and template builds nobody owns are cleaned up.
 */
export async function recover(ctx: Ctx, snapshots: TemplateSnapshots): Promise<RecoveryReport> {
  const r: RecoveryReport = {
    adopted: [],
    lost: [],
    paused: [],
    intentsCleaned: [],
    templateBuildsRemoved: [],
    strayCgroups: [],
    network: { slots: [], netns: [], links: [] },
    skippedFiles: [],
  };
  const records = await ctx.store.list();
  const intents = await ctx.store.listIntents();
  r.skippedFiles.push(...records.skipped.map((s) => `${s.file}: ${s.reason}`));
  r.skippedFiles.push(...intents.skipped.map((s) => `${s.file}: ${s.reason}`));
  const committed = new Set(records.items.map((x) => x.id));
  for (const intent of intents.items) {
    if (committed.has(intent.id)) {
      await ctx.store.endIntent(intent.id);
      continue;
    }
    await cleanIntent(ctx, intent);
    r.intentsCleaned.push(intent.id);
  }
  for (const rec of records.items) {
    const s = fromRecord(rec);
    s.slot = ctx.network.slotFor(s.id);
    ctx.sandboxes.set(s.id, s);
    await adoptOne(ctx, s, r);
  }
  r.templateBuildsRemoved = await snapshots.sweep();
  r.network = await ctx.network.reconcile(ctx.sandboxes.keys());
  for (const id of await ctx.cgroups.list()) {
    if (ctx.sandboxes.has(id)) continue;
    const g = await ctx.cgroups.get(id).catch(() => null);
    await g?.destroy().catch((err: unknown) => ctx.log.warn("stray cgroup", { id, error: String(err) }));
    r.strayCgroups.push(id);
  }
  return r;
}

async function cleanIntent(ctx: Ctx, intent: IntentRecord): Promise<void> {
  const res = intent.resources;
  const pid = typeof res.vmPid === "number" ? res.vmPid : undefined;
  const pidStart = typeof res.vmPidStart === "number" ? res.vmPidStart : undefined;
  await teardown(ctx, {
    id: intent.id,
    vmPid: pid !== undefined && pidStart !== undefined ? { pid, pidStart } : undefined,
    netns: typeof res.netns === "string" ? res.netns : undefined,
  }).catch((err: unknown) => ctx.log.warn("intent cleanup failed", { id: intent.id, error: String(err) }));
  ctx.log.info("removed a half-done create", { id: intent.id });
}

async function adoptOne(ctx: Ctx, s: Sandbox, r: RecoveryReport): Promise<void> {
  const vmDir = join(sandboxDir(ctx.stateDir, s.id), "vm");
  const lose = async (reason: string) => {
    s.vm = undefined;
    s.error = reason;
    setState(ctx, s, "error", reason);
    await persist(ctx, s);
    r.lost.push(s.id);
  };
  if (s.state === "paused") {
    const ok = s.snapshot && (await exists(s.snapshot.manifest)) && s.slot;
    if (ok) r.paused.push(s.id);
    else await lose("paused sandbox lost its snapshot or network slot while the agent was down");
    return;
  }
  if (s.state !== "running" && s.state !== "starting" && s.state !== "pending") return;
  const h = await adoptVm(ctx, vmDir, s.id);
  if (!h) return lose(LOST_REASON);
  if (!s.slot) {
    await ctx.driver.stop(h, { graceMs: 0 }).catch(() => {});
    return lose("network slot lost while the agent was down");
  }
  s.vm = h;
  // An agent killed mid-pause may have left the guest stopped after its snapshot: let it run again.
  await ctx.driver.resume(h).catch(() => {});
  s.cgroup = await ctx.cgroups.get(s.id).catch(() => undefined);
  await s.cgroup?.addProcess(h.pid).catch(() => {});
  const secrets = await ctx.store.getSecrets(s.id);
  s.client = newClient(ctx.driver, h, secrets.accessToken || undefined);
  s.oomKills = (await s.cgroup?.usage().catch(() => null))?.oomKills ?? 0;
  if (s.state !== "running") setState(ctx, s, "running", "re-adopted");
  r.adopted.push(s.id);
}

/**
 * adoptVm re-attaches to a VMM. A null from the driver means the VMM is gone; a thrown error
 * (QMP busy on a loaded host) is retried a few times before the sandbox is given up.
 */
async function adoptVm(ctx: Ctx, vmDir: string, id: string): Promise<VmHandle | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.driver.adopt(vmDir);
    } catch (err) {
      ctx.log.warn("adopt failed", { id, attempt, error: String(err) });
      if (attempt >= 3) return null;
      await sleep(500 * attempt);
    }
  }
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}
