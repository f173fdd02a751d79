import { CgroupError } from "./errors.js";

/** CgroupLimits is what a sandbox asked for; the VMM's own overhead is added on top. */
export interface CgroupLimits {
  vcpus: number;
  memMiB: number;
  /** pids caps the VMM's threads and children (default 256). */
  pids?: number;
}

/** ResolvedLimits are the values written to the kernel files. */
export interface ResolvedLimits {
  cpuQuotaUs: number;
  cpuPeriodUs: number;
  memoryBytes: number;
  pidsMax: number;
}

/** CgroupUsage is a sandbox's resource use, read back for metrics and OOM reporting. */
export interface CgroupUsage {
  /** cpuSeconds is cumulative CPU time (a counter). */
  cpuSeconds: number;
  memoryBytes: number;
  oomKills: number;
  pids: number;
}

/** DEFAULT_OVERHEAD_MIB is the VMM's own memory (device emulation, page tables) beyond guest RAM. */
export const DEFAULT_OVERHEAD_MIB = 64;
/** DEFAULT_CPU_PERIOD_US is the CFS period; quota = vcpus × period lets each vCPU use one core. */
export const DEFAULT_CPU_PERIOD_US = 100_000;

/** resolveLimits validates a request and turns it into kernel values (guest RAM + overhead). */
export function resolveLimits(
  l: CgroupLimits,
  overheadMiB = DEFAULT_OVERHEAD_MIB,
  periodUs = DEFAULT_CPU_PERIOD_US,
): ResolvedLimits {
  const bad = (why: string) => new CgroupError("invalid_spec", why);
  if (!(Number.isFinite(l.vcpus) && l.vcpus > 0 && l.vcpus <= 256)) throw bad("vcpus must be in (0, 256]");
  if (!(Number.isInteger(l.memMiB) && l.memMiB > 0)) throw bad("memMiB must be a positive integer");
  const pids = l.pids ?? 256;
  if (!(Number.isInteger(pids) && pids > 0)) throw bad("pids must be a positive integer");
  if (!(Number.isInteger(overheadMiB) && overheadMiB >= 0)) throw bad("overheadMiB must be an integer ≥ 0");
  return {
    cpuQuotaUs: Math.max(1000, Math.round(l.vcpus * periodUs)),
    cpuPeriodUs: periodUs,
    memoryBytes: (l.memMiB + overheadMiB) * 2 ** 20,
    pidsMax: pids,
  };
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** assertCgroupId keeps a sandbox id to one safe path component. */
export function assertCgroupId(id: string): void {
  if (!ID.test(id) || id.includes(".."))
    throw new CgroupError("invalid_spec", `bad cgroup id ${JSON.stringify(id)}`);
}
