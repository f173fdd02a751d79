import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Backend } from "./backend.js";
import { CgroupError, io } from "./errors.js";
import type { CgroupUsage } from "./limits.js";

/** SandboxCgroup is one sandbox's group: the VMM goes in, usage comes out, destroy tears it down. */
export class SandboxCgroup {
  readonly id: string;
  readonly #b: Backend;

  constructor(id: string, backend: Backend) {
    this.id = id;
    this.#b = backend;
  }

  /** dirs are the group's directories (one on v2, one per controller hierarchy on v1). */
  get dirs(): string[] {
    return this.#b.dirs(this.id);
  }

  /** addProcess moves a process (all its threads; later children follow) into the group. */
  async addProcess(pid: number): Promise<void> {
    if (!Number.isInteger(pid) || pid <= 0) throw new CgroupError("invalid_spec", `bad pid ${pid}`);
    await io(`move pid ${pid} into cgroup ${this.id}`, async () => {
      for (const d of this.dirs) await this.#b.fs.write(join(d, "cgroup.procs"), String(pid));
    });
  }

  /** pids lists the processes in the group. */
  async pids(): Promise<number[]> {
    const all = new Set<number>();
    for (const d of this.dirs) {
      const text = await this.#b.fs.read(join(d, "cgroup.procs")).catch(() => "");
      for (const p of text.split("\n")) if (p.trim()) all.add(Number(p));
    }
    return [...all].sort((a, b) => a - b);
  }

  /** usage reads CPU time, memory, OOM kills and process count. */
  usage(): Promise<CgroupUsage> {
    return io(`read usage of cgroup ${this.id}`, () => this.#b.readUsage(this.id));
  }

  /**
   * destroy kills whatever is still in the group (a VMM left outside its limits would be worse
   * than a dead one), waits for it to empty and removes it. Destroying twice is fine.
   */
  async destroy(opts: { timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (opts.timeoutMs ?? 5000);
    let present = await this.#present();
    if (!present.length) return;
    await io(`kill the processes of cgroup ${this.id}`, () => this.#b.killAll(this.id));
    for (;;) {
      const left = await this.pids();
      for (const pid of left) killQuietly(pid);
      if (!left.length) {
        try {
          for (const d of present) await this.#b.fs.rmdir(d);
          return;
        } catch (err) {
          present = await this.#present();
          if (Date.now() > deadline) {
            throw new CgroupError("busy", `cannot remove cgroup ${this.id}`, { cause: err });
          }
        }
      } else if (Date.now() > deadline) {
        throw new CgroupError("busy", `cgroup ${this.id} still holds pids ${left.join(", ")}`);
      }
      await sleep(20);
    }
  }

  async #present(): Promise<string[]> {
    const out: string[] = [];
    for (const d of this.dirs) if (await this.#b.fs.exists(d)) out.push(d);
    return out;
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}
