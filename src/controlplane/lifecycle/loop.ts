import { claimExpired, recordAudit } from "../../shared/models/index.js";
import { pauseSandbox, type ServiceDeps, stopSandbox } from "../sandboxes/index.js";
import { reapStuckCreates } from "./stuck.js";

/** LifecycleOptions tunes the expiry loop. */
export interface LifecycleOptions {
  /** intervalMs between scans; each wait is jittered ±20 % so replicas do not scan in lockstep. */
  intervalMs: number;
  /** owner names this replica in the lease (claimExpired). */
  owner: string;
  /** batch is how many expired sandboxes one scan claims (default 20). */
  batch?: number;
  /** leaseMs keeps other replicas off a claimed sandbox while this one acts (default 60 000). */
  leaseMs?: number;
  /** stuckAfterS: creates still pending/starting after this long are abandoned (default STUCK_AFTER_S). */
  stuckAfterS?: number;
}

/** LifecycleLoop auto-pauses or auto-destroys running sandboxes past their timeout or idle limit. */
export interface LifecycleLoop {
  /** runOnce scans once and returns how many sandboxes it acted on. */
  runOnce(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * createLifecycleLoop claims expired sandboxes with claimExpired (row locks with SKIP LOCKED plus a
 * lease, so several replicas share the work without doing anything twice), then pauses or destroys
 * each as its on_timeout says. A failed action keeps the lease until it lapses, then is retried.
 * Each scan also reaps creates abandoned mid-way (their control plane died), see reapStuckCreates.
 */
export function createLifecycleLoop(d: ServiceDeps, o: LifecycleOptions): LifecycleLoop {
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<number> | undefined;
  let stopped = true;

  const act = async (): Promise<number> => {
    const reaped = await reapStuckCreates(d, o.stuckAfterS);
    const claimed = await claimExpired(d.sql, new Date(), o.batch ?? 20, {
      owner: o.owner,
      ...(o.leaseMs ? { leaseMs: o.leaseMs } : {}),
    });
    let done = reaped;
    await Promise.all(
      claimed.map(async ({ sandbox: sb, reason }) => {
        const action = sb.onTimeout === "pause" ? "pause" : "destroy";
        try {
          if (action === "pause") await pauseSandbox(d, sb, "system:lifecycle", { reason });
          else await stopSandbox(d, sb, "system:lifecycle", { reason });
          await recordAudit(d.sql, {
            teamId: sb.teamId,
            actor: "system:lifecycle",
            action: `sandbox.auto_${action}`,
            target: sb.id,
            data: { reason },
          });
          done++;
          d.log?.info(`sandbox auto-${action}d`, { sandbox: sb.id, reason });
        } catch (err) {
          d.log?.warn(`sandbox auto-${action} failed; retried after the lease`, {
            sandbox: sb.id,
            error: String(err),
          });
        }
      }),
    );
    return done;
  };

  const runOnce = (): Promise<number> => {
    current ??= act().finally(() => {
      current = undefined;
    });
    return current;
  };

  const schedule = () => {
    if (stopped) return;
    const wait = o.intervalMs * (0.8 + Math.random() * 0.4);
    timer = setTimeout(() => {
      runOnce()
        .catch((err: unknown) => d.log?.warn("lifecycle scan failed", { error: String(err) }))
        .finally(schedule);
    }, wait);
    timer.unref();
  };

  return {
    runOnce,
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current?.catch(() => {});
    },
  };
}
