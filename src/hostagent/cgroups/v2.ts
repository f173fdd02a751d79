import { join } from "node:path";
import type { Backend } from "./backend.js";
import { type CgroupFs, readKeyed } from "./fs.js";
import type { CgroupUsage, ResolvedLimits } from "./limits.js";

const CONTROLLERS = ["cpu", "memory", "pids"] as const;

/** V2Backend is the unified hierarchy: one directory per group, controllers enabled top-down. */
export class V2Backend implements Backend {
  readonly version = 2;
  readonly fs: CgroupFs;
  readonly #root: string;
  readonly #parent: string;

  constructor(fs: CgroupFs, root: string, parent: string) {
    this.fs = fs;
    this.#root = root;
    this.#parent = parent;
  }

  async ensureParent(): Promise<void> {
    // every ancestor from the root down to the parent must delegate cpu, memory and pids
    let dir = this.#root;
    await this.#enable(dir);
    for (const part of this.#parent.split("/").filter(Boolean)) {
      dir = join(dir, part);
      await this.fs.mkdir(dir);
      await this.#enable(dir);
    }
  }

  parentDirs(): string[] {
    return [join(this.#root, this.#parent)];
  }

  dirs(id: string): string[] {
    return [join(this.#root, this.#parent, id)];
  }

  async writeLimits(id: string, l: ResolvedLimits): Promise<void> {
    const [d] = this.dirs(id) as [string];
    await this.fs.write(join(d, "cpu.max"), `${l.cpuQuotaUs} ${l.cpuPeriodUs}`);
    await this.fs.write(join(d, "memory.max"), String(l.memoryBytes));
    // absent when swap accounting is off: then there is no swap to forbid
    if (await this.fs.exists(join(d, "memory.swap.max")))
      await this.fs.write(join(d, "memory.swap.max"), "0");
    await this.fs.write(join(d, "pids.max"), String(l.pidsMax));
  }

  async readUsage(id: string): Promise<CgroupUsage> {
    const [d] = this.dirs(id) as [string];
    const [cpu, mem, events, pids] = await Promise.all([
      this.fs.read(join(d, "cpu.stat")),
      this.fs.read(join(d, "memory.current")),
      this.fs.read(join(d, "memory.events")),
      this.fs.read(join(d, "pids.current")),
    ]);
    return {
      cpuSeconds: readKeyed(cpu, "usage_usec") / 1e6,
      memoryBytes: Number(mem.trim()),
      oomKills: readKeyed(events, "oom_kill"),
      pids: Number(pids.trim()),
    };
  }

  async killAll(id: string): Promise<boolean> {
    const file = join(this.dirs(id)[0] as string, "cgroup.kill");
    if (!(await this.fs.exists(file))) return false;
    await this.fs.write(file, "1");
    return true;
  }

  async #enable(dir: string): Promise<void> {
    const on = (await this.fs.read(join(dir, "cgroup.subtree_control"))).split(/\s+/);
    const missing = CONTROLLERS.filter((c) => !on.includes(c));
    if (missing.length)
      await this.fs.write(join(dir, "cgroup.subtree_control"), missing.map((c) => `+${c}`).join(" "));
  }
}
