import { readFile } from "node:fs/promises";
import { type Ctx, persist, type Sandbox, setState } from "./sandbox.js";
import { tailFileLine } from "./tail.js";

/** MonitorOptions set how often VMM liveness and cgroup usage (OOM kills) are checked. */
export interface MonitorOptions {
  exitPollMs?: number;
  usagePollMs?: number;
}

/**
 * startMonitor watches running sandboxes: a VMM that exits on its own turns the sandbox into
 * `error` (with an "exited" event), and a growing cgroup OOM-kill count emits "oom". Sandboxes an
 * operation currently owns (pause stops its VMM on purpose) are skipped. Returns a stop function.
 */
export function startMonitor(ctx: Ctx, o: MonitorOptions = {}): () => Promise<void> {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const exitTimer = setInterval(() => {
    running = running.then(() => (stopped ? undefined : checkExits(ctx)));
  }, o.exitPollMs ?? 500);
  const usageTimer = setInterval(() => {
    running = running.then(() => (stopped ? undefined : checkOom(ctx)));
  }, o.usagePollMs ?? 3000);
  exitTimer.unref();
  usageTimer.unref();
  return async () => {
    stopped = true;
    clearInterval(exitTimer);
    clearInterval(usageTimer);
    await running;
  };
}

async function checkExits(ctx: Ctx): Promise<void> {
  for (const s of ctx.sandboxes.values()) {
    if (s.state !== "running" || !s.vm || ctx.lock.holder(s.id)) continue;
    if (await alive(s.vm.pid, s.vm.pidStart)) continue;
    await ctx.lock
      .run(s.id, "exited", async () => {
        if (s.state !== "running" || !s.vm || (await alive(s.vm.pid, s.vm.pidStart))) return;
        await markExited(ctx, s);
      })
      .catch((err: unknown) => ctx.log.warn("exit handling failed", { id: s.id, error: String(err) }));
  }
}

/** markExited records an unexpected VMM exit: state error, the console's last line as the reason. */
async function markExited(ctx: Ctx, s: Sandbox): Promise<void> {
  const last = s.vm ? await tailFileLine(s.vm.serialLog) : "";
  const reason = `VMM exited unexpectedly${last ? ` (console: ${last})` : ""}`;
  await s.client?.close().catch(() => {});
  s.client = undefined;
  if (s.vm) await ctx.driver.stop(s.vm, { graceMs: 0 }).catch(() => {});
  s.vm = undefined;
  s.error = reason;
  ctx.bus.publish({ sandboxId: s.id, at: new Date(), kind: "exited", reason });
  setState(ctx, s, "error", reason);
  await persist(ctx, s);
  ctx.log.warn("sandbox VMM exited", { id: s.id, reason });
}

async function checkOom(ctx: Ctx): Promise<void> {
  for (const s of ctx.sandboxes.values()) {
    if (!s.cgroup || (s.state !== "running" && s.state !== "error")) continue;
    const u = await s.cgroup.usage().catch(() => null);
    if (!u) continue;
    if (u.oomKills > s.oomKills) ctx.bus.publish({ sandboxId: s.id, at: new Date(), kind: "oom" });
    s.oomKills = u.oomKills;
  }
}

/** alive says whether pid still runs and is the process that started at `pidStart` (not a zombie). */
export async function alive(pid: number, pidStart: number): Promise<boolean> {
  const text = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  if (!text) return false;
  const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return f[0] !== "Z" && f[0] !== "X" && Number(f[19]) === pidStart;
}
