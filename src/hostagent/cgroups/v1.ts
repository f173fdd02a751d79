import { join } from "node:path";
import type { Backend } from "./backend.js";
import { type CgroupFs, readKeyed } from "./fs.js";
import type { CgroupUsage, ResolvedLimits } from "./limits.js";

/** V1Mounts are the mount points of the v1 controllers (cpu and cpuacct may share one). */
export interface V1Mounts {
  cpu: string;
  cpuacct: string;
  memory: string;
  pids: string;
}

/** V1Backend is the legacy layout: one directory per controller hierarchy for every group. */
export class V1Backend implements Backend {
  readonly version = 1;
  readonly fs: CgroupFs;
  readonly #m: V1Mounts;
  readonly #parent: string;
  readonly #roots: string[];

  constructor(fs: CgroupFs, mounts: V1Mounts, parent: string) {
    this.fs = fs;
    this.#m = mounts;
    this.#parent = parent;
    this.#roots = [...new Set([mounts.memory, mounts.cpu, mounts.cpuacct, mounts.pids])];
  }

  async ensureParent(): Promise<void> {
    for (const root of this.#roots) {
      let dir = root;
      for (const part of this.#parent.split("/").filter(Boolean)) {
        dir = join(dir, part);
        await this.fs.mkdir(dir);
      }
    }
  }

  parentDirs(): string[] {
    return this.#roots.map((r) => join(r, this.#parent));
  }

  dirs(id: string): string[] {
    return this.#roots.map((r) => join(r, this.#parent, id));
  }

  async writeLimits(id: string, l: ResolvedLimits): Promise<void> {
    const cpu = this.#dir(this.#m.cpu, id);
    await this.fs.write(join(cpu, "cpu.cfs_period_us"), String(l.cpuPeriodUs));
    await this.fs.write(join(cpu, "cpu.cfs_quota_us"), String(l.cpuQuotaUs));
    const mem = this.#dir(this.#m.memory, id);
    await this.fs.write(join(mem, "memory.limit_in_bytes"), String(l.memoryBytes));
    // memory+swap equal to memory: no swap (the file exists only with swap accounting)
    const memsw = join(mem, "memory.memsw.limit_in_bytes");
    if (await this.fs.exists(memsw)) await this.fs.write(memsw, String(l.memoryBytes));
    await this.fs.write(join(this.#dir(this.#m.pids, id), "pids.max"), String(l.pidsMax));
  }

  async readUsage(id: string): Promise<CgroupUsage> {
    const mem = this.#dir(this.#m.memory, id);
    const [cpu, usage, oom, pids] = await Promise.all([
      this.fs.read(join(this.#dir(this.#m.cpuacct, id), "cpuacct.usage")),
      this.fs.read(join(mem, "memory.usage_in_bytes")),
      this.fs.read(join(mem, "memory.oom_control")),
      this.fs.read(join(this.#dir(this.#m.pids, id), "pids.current")),
    ]);
    return {
      cpuSeconds: Number(cpu.trim()) / 1e9,
      memoryBytes: Number(usage.trim()),
      oomKills: readKeyed(oom, "oom_kill"),
      pids: Number(pids.trim()),
    };
  }

  async killAll(): Promise<boolean> {
    return false;
  }

  #dir(root: string, id: string): string {
    return join(root, this.#parent, id);
  }
}
