import { mkdir, rm } from "node:fs/promises";
import { cloneDisk, type TemplateImage, type TemplateStore } from "../filesystem/index.js";
import { normalizeEgress } from "../network/index.js";
import { newIntent } from "../state/index.js";
import { VmError, type VmHandle, type VmSpec } from "../vm/index.js";
import { checkCapacity, type HostCapacity } from "./capacity.js";
import { teardown } from "./destroy.js";
import { SandboxError } from "./errors.js";
import { bootOptions, initGuest, newClient } from "./guest.js";
import { toSandboxError } from "./map-error.js";
import { type Ctx, persist, type Sandbox, sandboxDir, setState, toInfo, vmSpec } from "./sandbox.js";
import type { TemplateSnapshots } from "./template-snapshot.js";
import type { CreateSandboxInput, SandboxInfo, StartMethod } from "./types.js";

const MiB = 2 ** 20;

/** CreateDeps are what a create needs beyond the shared context. */
export interface CreateDeps {
  templates: TemplateStore;
  snapshots: TemplateSnapshots;
  capacity: HostCapacity;
  /** templateSnapshots false makes every create a cold boot. */
  templateSnapshots: boolean;
  onCreated?: (method: StartMethod, seconds: number) => void;
}

/**
 * create validates everything that can be checked up front (id, egress, template, capacity), so
 * bad input creates nothing; then it records an intent and builds the sandbox step by step. Any
 * failure removes what was made and surfaces as one SandboxError with the cause.
 */
export async function create(
  ctx: Ctx,
  deps: CreateDeps,
  input: CreateSandboxInput,
  signal?: AbortSignal,
): Promise<{ sandbox: SandboxInfo; readyMs: number }> {
  const t0 = performance.now();
  const what = `create ${input.id}`;
  if (ctx.sandboxes.has(input.id)) throw new SandboxError("already_exists", `sandbox ${input.id} exists`);
  let tpl: TemplateImage;
  let egress: ReturnType<typeof normalizeEgress>;
  try {
    egress = normalizeEgress(input.egress);
    tpl = await deps.templates.resolve(input.template);
  } catch (err) {
    throw toSandboxError(err, what);
  }
  const diskMiB = Math.max(input.diskMiB, Math.ceil(tpl.sizeBytes / MiB));
  checkCapacity(deps.capacity, ctx.sandboxes.values(), input, what);
  if (ctx.sandboxes.has(input.id)) throw new SandboxError("already_exists", `sandbox ${input.id} exists`);
  const now = new Date();
  const s: Sandbox = {
    id: input.id,
    template: tpl.name,
    state: "pending",
    vcpus: input.vcpus,
    memMiB: input.memMiB,
    diskMiB,
    metadata: input.metadata,
    egress,
    createdAt: now,
    startedAt: now,
    startMethod: input.coldBoot || !deps.templateSnapshots ? "boot" : "template-snapshot",
    envdVersion: "",
    oomKills: 0,
  };
  ctx.sandboxes.set(s.id, s);
  return ctx.lock.run(s.id, "create", async () => {
    try {
      await build(ctx, deps, s, tpl, input, signal);
    } catch (err) {
      const e = toSandboxError(err, what);
      ctx.log.warn("create failed", { id: s.id, error: e.message });
      await s.client?.close().catch(() => {});
      await teardown(ctx, { id: s.id, vm: s.vm, netns: s.slot?.netns }).catch((cleanupErr: unknown) =>
        ctx.log.warn("create cleanup failed", { id: s.id, error: String(cleanupErr) }),
      );
      ctx.sandboxes.delete(s.id);
      setState(ctx, s, "stopped", `create failed: ${e.message}`);
      throw e;
    }
    const readyMs = Math.round(performance.now() - t0);
    deps.onCreated?.(s.startMethod, readyMs / 1000);
    ctx.log.info("sandbox ready", { id: s.id, method: s.startMethod, readyMs });
    return { sandbox: toInfo(s), readyMs };
  });
}

async function build(
  ctx: Ctx,
  deps: CreateDeps,
  s: Sandbox,
  tpl: TemplateImage,
  input: CreateSandboxInput,
  signal: AbortSignal | undefined,
): Promise<void> {
  const dir = sandboxDir(ctx.stateDir, s.id);
  await ctx.store.beginIntent(newIntent(s.id, { dir, cgroup: s.id }));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  s.slot = await ctx.network.acquire({ sandboxId: s.id, egress: s.egress });
  await ctx.store.noteIntent(s.id, { netns: s.slot.netns });
  s.cgroup = await ctx.cgroups.create(s.id, { vcpus: s.vcpus, memMiB: s.memMiB });
  setState(ctx, s, "starting", s.startMethod);
  const spec = vmSpec(ctx, { id: s.id, dir, vcpus: s.vcpus, memMiB: s.memMiB, slot: s.slot });
  const opts = (timeoutMs: number) =>
    bootOptions(ctx.driver, {
      timeoutMs,
      signal,
      cgroup: s.cgroup,
      onStart: (h: VmHandle) => ctx.store.noteIntent(s.id, { vmPid: h.pid, vmPidStart: h.pidStart }),
    });
  if (s.startMethod === "template-snapshot") s.vm = await fromSnapshot(ctx, deps, s, tpl, spec, opts, signal);
  if (!s.vm) {
    s.startMethod = "boot";
    await cloneDisk({
      src: tpl.rootfs,
      dest: spec.rootfs,
      sizeMiB: s.diskMiB,
      ...(signal ? { signal } : {}),
    });
    s.vm = await ctx.driver.boot(spec, opts(ctx.bootTimeoutMs));
  }
  s.client = newClient(ctx.driver, s.vm);
  const who = { id: s.id, env: input.env, accessToken: input.envdAccessToken || undefined };
  s.envdVersion = await initGuest(s.client, who, signal);
  ctx.envdVersion.last = s.envdVersion;
  s.startedAt = new Date();
  await ctx.store.putSecrets(s.id, { accessToken: who.accessToken ?? "", env: input.env });
  setState(ctx, s, "running", "ready");
  await persist(ctx, s);
  await ctx.store.endIntent(s.id);
}

/**
 * fromSnapshot restores the template snapshot into a copy of its disk. A snapshot the VMM refuses
 * (stale after an upgrade) is dropped and the create falls back to a cold boot (returns undefined);
 * so does a failed template build.
 */
async function fromSnapshot(
  ctx: Ctx,
  deps: CreateDeps,
  s: Sandbox,
  tpl: TemplateImage,
  spec: VmSpec,
  opts: (timeoutMs: number) => ReturnType<typeof bootOptions>,
  signal: AbortSignal | undefined,
): Promise<VmHandle | undefined> {
  const shape = { vcpus: s.vcpus, memMiB: s.memMiB, diskMiB: s.diskMiB };
  let snap: Awaited<ReturnType<TemplateSnapshots["get"]>>;
  try {
    snap = await deps.snapshots.get(tpl, shape, signal);
  } catch (err) {
    if (signal?.aborted) throw err;
    ctx.log.warn("template snapshot unavailable, cold booting", { id: s.id, error: String(err) });
    return undefined;
  }
  await cloneDisk({ src: snap.disk, dest: spec.rootfs, ...(signal ? { signal } : {}) });
  const { disk: _kept, ...files } = snap;
  try {
    return await ctx.driver.restore(spec, files, opts(ctx.restoreTimeoutMs));
  } catch (err) {
    if (!(err instanceof VmError && err.code === "invalid_snapshot")) throw err;
    ctx.log.warn("template snapshot refused, rebuilding later and cold booting", { error: err.message });
    await deps.snapshots.invalidate(snap);
    await rm(spec.rootfs, { force: true });
    return undefined;
  }
}
