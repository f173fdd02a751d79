import { setTimeout as sleep } from "node:timers/promises";
import type { Backend } from "./backend.js";
import { detectCgroups } from "./detect.js";
import { CgroupError, io } from "./errors.js";
import { type CgroupFs, nodeCgroupFs } from "./fs.js";
import { assertCgroupId, type CgroupLimits, type CgroupUsage, resolveLimits } from "./limits.js";
import { SandboxCgroup } from "./sandbox.js";
import { V1Backend } from "./v1.js";
import { V2Backend } from "./v2.js";

/** CgroupOptions configure where sandbox groups live and how much VMM overhead they allow. */
export interface CgroupOptions {
  /** parent is the group (path relative to each hierarchy root) holding sandbox groups; default "wrenn". */
  parent?: string;
  /** overheadMiB is added to the guest's memory for the VMM itself; default 64. */
  overheadMiB?: number;
  cpuPeriodUs?: number;
  /** fs replaces the real cgroup filesystem (tests of hierarchies this host lacks). */
  fs?: CgroupFs;
}

/**
 * CgroupManager puts each sandbox's VMM in its own cgroup with CPU, memory and pids limits, and
 * reads usage back. One interface over v2 (production) and v1 (legacy/hybrid hosts).
 */
export class CgroupManager {
  readonly version: 1 | 2;
  readonly #b: Backend;
  readonly #overheadMiB: number | undefined;
  readonly #periodUs: number | undefined;

  constructor(backend: Backend, opts: CgroupOptions = {}) {
    this.#b = backend;
    this.version = backend.version;
    this.#overheadMiB = opts.overheadMiB;
    this.#periodUs = opts.cpuPeriodUs;
  }

  /** open detects the host's cgroup version and prepares the parent group. */
  static async open(opts: CgroupOptions = {}, mountsFile?: string): Promise<CgroupManager> {
    const layout = await detectCgroups(mountsFile);
    const fs = opts.fs ?? nodeCgroupFs;
    const parent = opts.parent ?? "wrenn";
    const backend =
      layout.version === 2
        ? new V2Backend(fs, layout.root, parent)
        : new V1Backend(fs, layout.mounts, parent);
    const m = new CgroupManager(backend, opts);
    await m.init();
    return m;
  }

  /** init creates the parent group (idempotent). */
  async init(): Promise<void> {
    await io("prepare the parent cgroup", () => this.#b.ensureParent());
  }

  /** create makes the sandbox's group with its limits; on failure nothing is left behind. */
  async create(id: string, limits: CgroupLimits): Promise<SandboxCgroup> {
    assertCgroupId(id);
    const l = resolveLimits(limits, this.#overheadMiB, this.#periodUs);
    const g = new SandboxCgroup(id, this.#b);
    try {
      await io(`create cgroup ${id}`, async () => {
        for (const d of this.#b.dirs(id)) await this.#b.fs.mkdir(d);
        await this.#b.writeLimits(id, l);
      });
    } catch (err) {
      await g.destroy({ timeoutMs: 1000 }).catch(() => undefined);
      throw err;
    }
    return g;
  }

  /** get returns the handle of an existing group (after an agent restart), or throws `not_found`. */
  async get(id: string): Promise<SandboxCgroup> {
    assertCgroupId(id);
    for (const d of this.#b.dirs(id)) {
      if (!(await this.#b.fs.exists(d))) throw new CgroupError("not_found", `no cgroup for ${id}`);
    }
    return new SandboxCgroup(id, this.#b);
  }

  /** list names the sandbox groups under the parent, for reconciling with the state directory. */
  async list(): Promise<string[]> {
    const [dir] = this.#b.parentDirs();
    return dir ? (await this.#b.fs.listDirs(dir)).sort() : [];
  }

  /** usageAll reads every group's usage (metrics scrape); groups that vanish meanwhile are skipped. */
  async usageAll(): Promise<Map<string, CgroupUsage>> {
    const out = new Map<string, CgroupUsage>();
    for (const id of await this.list()) {
      const u = await new SandboxCgroup(id, this.#b).usage().catch(() => null);
      if (u) out.set(id, u);
    }
    return out;
  }

  /** removeParent deletes the (empty) parent group; for tests and uninstall. */
  async removeParent(): Promise<void> {
    for (let i = 0; ; i++) {
      try {
        for (const d of this.#b.parentDirs()) await this.#b.fs.rmdir(d);
        return;
      } catch (err) {
        if (i >= 20) throw new CgroupError("busy", "cannot remove the parent cgroup", { cause: err });
        await sleep(50);
      }
    }
  }
}
