// cgroups is the host agent's door to per-sandbox resource limits: one group per VMM with CPU,
// memory and pids limits, on cgroup v2 (production) or v1 (legacy and hybrid hosts).
export type { Backend } from "./backend.js";
export { type CgroupLayout, detectCgroups } from "./detect.js";
export { CgroupError, type CgroupErrorCode } from "./errors.js";
export { type CgroupFs, nodeCgroupFs } from "./fs.js";
export {
  type CgroupLimits,
  type CgroupUsage,
  DEFAULT_CPU_PERIOD_US,
  DEFAULT_OVERHEAD_MIB,
  type ResolvedLimits,
  resolveLimits,
} from "./limits.js";
export { CgroupManager, type CgroupOptions } from "./manager.js";
export { SandboxCgroup } from "./sandbox.js";
export { V1Backend, type V1Mounts } from "./v1.js";
export { V2Backend } from "./v2.js";
