import { setTimeout as sleep } from "node:timers/promises";
import type { BootOptions, VmHandle } from "./driver.js";
import { VmError } from "./errors.js";
import { isAlive } from "./proc.js";

/** watchExit resolves when the process exits; it stops quietly (never resolving) once `signal` fires. */
export async function watchExit(pid: number, pidStart: number, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    if (!(await isAlive(pid, pidStart))) return;
    await sleep(50, undefined, { signal }).catch(() => {});
  }
  await new Promise<never>(() => {});
}

/**
 * awaitReady runs the boot options' readiness check, racing it against the VMM exiting; it throws
 * the raw failure (the driver adds logs and cleans up). The probe is aborted before this returns.
 */
export async function awaitReady(h: VmHandle, opts: BootOptions): Promise<void> {
  if (!opts.ready) return;
  const ac = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, ac.signal]) : ac.signal;
  try {
    await Promise.race([
      opts.ready(h, signal),
      watchExit(h.pid, h.pidStart, signal).then(() => {
        throw new VmError("boot_failed", `the VMM of VM ${h.id} exited before the guest was ready`);
      }),
    ]);
  } catch (err) {
    if (opts.signal?.aborted)
      throw new VmError("aborted", `VM ${h.id}: aborted while waiting for the guest`, { cause: err });
    throw err;
  } finally {
    ac.abort();
  }
}
