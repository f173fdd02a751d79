import { SandboxError } from "./errors.js";
import type { Sandbox } from "./sandbox.js";

/** HostCapacity is what sandboxes on this host may use in total (config; defaults from the machine). */
export interface HostCapacity {
  vcpus: number;
  memMiB: number;
}

/** Demand is one sandbox's share of the host. */
export interface Demand {
  vcpus: number;
  memMiB: number;
}

/** Usage is the committed share of the host. */
export interface Usage {
  vcpus: number;
  memMiB: number;
  diskMiB: number;
}

/** ACTIVE are the states that hold vCPUs and memory; paused and errored sandboxes hold only disk. */
const ACTIVE = new Set(["pending", "starting", "running"]);

/** usage sums what sandboxes have committed (creates in flight count from their first step). */
export function usage(sandboxes: Iterable<Sandbox>, except?: string): Usage {
  const u: Usage = { vcpus: 0, memMiB: 0, diskMiB: 0 };
  for (const s of sandboxes) {
    if (s.id === except || s.state === "stopped") continue;
    u.diskMiB += s.diskMiB;
    if (!ACTIVE.has(s.state)) continue;
    u.vcpus += s.vcpus;
    u.memMiB += s.memMiB;
  }
  return u;
}

/**
 * checkCapacity throws `capacity` naming the resource that does not fit, before anything is
 * created; `except` leaves out the sandbox being resumed.
 */
export function checkCapacity(
  cap: HostCapacity,
  sandboxes: Iterable<Sandbox>,
  want: Demand,
  what: string,
  except?: string,
): void {
  const u = usage(sandboxes, except);
  const fail = (res: string, asked: number, used: number, total: number, unit: string) =>
    new SandboxError(
      "capacity",
      `${what}: not enough ${res} on this host: asked ${asked}${unit}, ${Math.max(0, total - used)}${unit} of ${total}${unit} free`,
    );
  if (u.vcpus + want.vcpus > cap.vcpus) throw fail("vCPUs", want.vcpus, u.vcpus, cap.vcpus, "");
  if (u.memMiB + want.memMiB > cap.memMiB) throw fail("memory", want.memMiB, u.memMiB, cap.memMiB, " MiB");
}
