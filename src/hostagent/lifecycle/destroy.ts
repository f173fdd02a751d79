import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { CgroupError } from "../cgroups/index.js";
import { stopForwarders } from "../envdclient/index.js";
import type { VmHandle } from "../vm/index.js";
import { SandboxError } from "./errors.js";
import { toSandboxError } from "./map-error.js";
import { type Ctx, type Sandbox, sandboxDir, setState } from "./sandbox.js";

/** Leftovers names what one sandbox (or a half-done create) may hold on the host. */
export interface Leftovers {
  id: string;
  vm?: VmHandle | undefined;
  /** vmPid is a VMM known only by pid (an intent noted it; the state file may be gone). */
  vmPid?: { pid: number; pidStart: number } | undefined;
  netns?: string | undefined;
}

/**
 * teardown removes everything a sandbox id may own, in reverse order of creation: VMM (and its
 * netns forwarders), cgroup, network slot, disk + snapshot directory, record/secrets/intent.
 * Every step runs even when an earlier one fails; the first failure is rethrown at the end.
 */
export async function teardown(ctx: Ctx, l: Leftovers): Promise<void> {
  const dir = sandboxDir(ctx.stateDir, l.id);
  const vmDir = join(dir, "vm");
  const errors: unknown[] = [];
  const step = async (f: () => Promise<unknown>) => {
    try {
      await f();
    } catch (err) {
      errors.push(err);
    }
  };
  await step(async () => {
    const h = l.vm ?? (await ctx.driver.adopt(vmDir).catch(() => null));
    if (h) await ctx.driver.stop(h, { graceMs: 1000 });
    else if (l.vmPid) await killIfSame(l.vmPid.pid, l.vmPid.pidStart);
  });
  const slot = ctx.network.slotFor(l.id);
  // By socket dir, not netns: a half-done create may have left a forwarder but no record of its netns.
  await step(() => stopForwarders(vmDir));
  await step(async () => {
    const g = await ctx.cgroups.get(l.id).catch((err: unknown) => {
      if (err instanceof CgroupError && err.code === "not_found") return null;
      throw err;
    });
    await g?.destroy();
  });
  if (slot) await step(() => ctx.network.release(slot));
  await step(() => rm(dir, { recursive: true, force: true }));
  await step(() => ctx.store.delete(l.id));
  if (errors.length) throw errors[0];
}

/** destroy stops a sandbox in any state and removes all it holds; an unknown id is `not_found`. */
export function destroy(ctx: Ctx, id: string): Promise<void> {
  if (!ctx.sandboxes.has(id)) return Promise.reject(new SandboxError("not_found", `sandbox ${id} not found`));
  return ctx.lock.run(id, "destroy", async () => {
    const s = ctx.sandboxes.get(id);
    if (!s) throw new SandboxError("not_found", `sandbox ${id} not found`);
    await s.client?.close().catch(() => {});
    s.client = undefined;
    try {
      await teardown(ctx, { id, vm: s.vm });
    } catch (err) {
      s.error = `destroy failed: ${err instanceof Error ? err.message : String(err)}`;
      setState(ctx, s, "error", s.error);
      throw toSandboxError(err, `destroy ${id}`);
    }
    ctx.sandboxes.delete(id);
    setState(ctx, s as Sandbox, "stopped", "destroyed");
    ctx.log.info("sandbox destroyed", { id });
  });
}

/** killIfSame SIGKILLs pid only if it is still the process that started at `pidStart`. */
async function killIfSame(pid: number, pidStart: number): Promise<void> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  const start = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
  if (!stat || start !== pidStart) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // gone in between
  }
}
