import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { diskSpace, ensureFree } from "../filesystem/index.js";
import { checkCapacity, type HostCapacity } from "./capacity.js";
import { SandboxError } from "./errors.js";
import { bootOptions, initGuest, newClient } from "./guest.js";
import { toSandboxError } from "./map-error.js";
import { type Ctx, persist, type Sandbox, sandboxDir, setState, toInfo, vmSpec } from "./sandbox.js";
import type { SandboxInfo } from "./types.js";

const MiB = 2 ** 20;
/** SNAPSHOT_SLACK covers device state and the stream's framing beyond guest RAM. */
const SNAPSHOT_SLACK = 32 * MiB;

function owned(ctx: Ctx, id: string): Sandbox {
  const s = ctx.sandboxes.get(id);
  if (!s) throw new SandboxError("not_found", `sandbox ${id} not found`);
  return s;
}

/**
 * pause snapshots a running sandbox to `<stateDir>/sandboxes/<id>/snapshot` and stops its VMM; the
 * disk and network slot stay for resume. Free space is checked first; if the snapshot still
 * fails, the VM is resumed and keeps running.
 */
export function pause(
  ctx: Ctx,
  id: string,
  onDone?: (seconds: number) => void,
): Promise<{ sandbox: SandboxInfo; snapshotBytes: number }> {
  owned(ctx, id);
  return ctx.lock.run(id, "pause", async () => {
    const s = owned(ctx, id);
    const vm = s.vm;
    if (s.state !== "running" || !vm) {
      throw new SandboxError(
        "wrong_state",
        `sandbox ${id} is ${s.state}; only a running sandbox can be paused`,
      );
    }
    const t0 = performance.now();
    const what = `pause ${id}`;
    const dir = join(sandboxDir(ctx.stateDir, id), "snapshot");
    try {
      await ensureFree(sandboxDir(ctx.stateDir, id), s.memMiB * MiB + SNAPSHOT_SLACK);
    } catch (err) {
      throw toSandboxError(err, `${what} (the sandbox keeps running)`);
    }
    let snap: Awaited<ReturnType<Ctx["driver"]["snapshot"]>>;
    try {
      snap = await ctx.driver.snapshot(vm, dir);
    } catch (err) {
      await ctx.driver.resume(vm).catch(() => {});
      await rm(dir, { recursive: true, force: true }).catch(() => {});
      const full = await isNearlyFull([dir, sandboxDir(ctx.stateDir, id)]);
      if (full) {
        throw new SandboxError(
          "capacity",
          `${what}: disk full while writing the snapshot (the sandbox keeps running)`,
          {
            cause: err,
          },
        );
      }
      throw toSandboxError(err, `${what} (the sandbox keeps running)`);
    }
    await s.client?.close().catch(() => {});
    s.client = undefined;
    try {
      await ctx.driver.stop(vm, { graceMs: 1000 });
    } catch (err) {
      throw toSandboxError(err, what);
    } finally {
      s.vm = undefined;
    }
    s.snapshot = snap;
    s.pausedAt = new Date();
    setState(ctx, s, "paused", "paused");
    await persist(ctx, s);
    const bytes = await stat(snap.memory).then(
      (st) => st.size,
      () => 0,
    );
    onDone?.((performance.now() - t0) / 1000);
    return { sandbox: toInfo(s), snapshotBytes: bytes };
  });
}

/**
 * resume restores a paused sandbox from its local snapshot and re-initialises the guest (clock,
 * env, token, fresh entropy). On failure the sandbox stays paused with its snapshot intact.
 */
export function resume(
  ctx: Ctx,
  capacity: HostCapacity,
  id: string,
  onDone?: (seconds: number) => void,
): Promise<{ sandbox: SandboxInfo; readyMs: number }> {
  owned(ctx, id);
  return ctx.lock.run(id, "resume", async () => {
    const s = owned(ctx, id);
    const snap = s.snapshot;
    if (s.state !== "paused" || !snap || !s.slot) {
      throw new SandboxError(
        "wrong_state",
        `sandbox ${id} is ${s.state}; only a paused sandbox can be resumed`,
      );
    }
    const what = `resume ${id}`;
    checkCapacity(capacity, ctx.sandboxes.values(), s, what, id);
    const t0 = performance.now();
    const spec = vmSpec(ctx, {
      id,
      dir: sandboxDir(ctx.stateDir, id),
      vcpus: s.vcpus,
      memMiB: s.memMiB,
      slot: s.slot,
    });
    setState(ctx, s, "starting", "resume");
    try {
      s.cgroup ??= await ctx.cgroups.get(id).catch(() => ctx.cgroups.create(id, s));
      s.vm = await ctx.driver.restore(
        spec,
        snap,
        bootOptions(ctx.driver, { timeoutMs: ctx.restoreTimeoutMs, cgroup: s.cgroup }),
      );
      const secrets = await ctx.store.getSecrets(id);
      s.client = newClient(ctx.driver, s.vm, secrets.accessToken || undefined);
      s.envdVersion = await initGuest(s.client, {
        id,
        env: secrets.env ?? {},
        accessToken: secrets.accessToken || undefined,
      });
    } catch (err) {
      await s.client?.close().catch(() => {});
      s.client = undefined;
      if (s.vm) await ctx.driver.stop(s.vm, { graceMs: 0 }).catch(() => {});
      s.vm = undefined;
      setState(ctx, s, "paused", "resume failed");
      throw toSandboxError(err, what);
    }
    s.snapshot = undefined;
    s.pausedAt = undefined;
    s.startMethod = "resume";
    s.startedAt = new Date();
    setState(ctx, s, "running", "resumed");
    await persist(ctx, s);
    await rm(snap.dir, { recursive: true, force: true });
    const readyMs = Math.round(performance.now() - t0);
    onDone?.(readyMs / 1000);
    return { sandbox: toInfo(s), readyMs };
  });
}

/** isNearlyFull says whether any of the (existing) paths' filesystems has less than SNAPSHOT_SLACK free. */
async function isNearlyFull(paths: string[]): Promise<boolean> {
  for (const p of paths) {
    const d = await diskSpace(p).catch(() => null);
    if (d && d.availBytes < SNAPSHOT_SLACK) return true;
  }
  return false;
}
