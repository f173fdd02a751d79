import type { CgroupFs } from "./fs.js";
import type { CgroupUsage, ResolvedLimits } from "./limits.js";

/**
 * Backend is one cgroup version's file layout. The manager does the common work (validation,
 * process moves, teardown); a backend knows only which directories and files hold what.
 */
export interface Backend {
  readonly version: 1 | 2;
  readonly fs: CgroupFs;
  /** ensureParent creates the parent group(s) and, on v2, enables the controllers down to it. */
  ensureParent(): Promise<void>;
  /** parentDirs are the parent group's directories (one per hierarchy on v1). */
  parentDirs(): string[];
  /** dirs are a sandbox group's directories, parallel to parentDirs(). */
  dirs(id: string): string[];
  writeLimits(id: string, l: ResolvedLimits): Promise<void>;
  readUsage(id: string): Promise<CgroupUsage>;
  /** killAll kills every member at once (v2 `cgroup.kill`); false when the kernel lacks it. */
  killAll(id: string): Promise<boolean>;
}
