import { createHash, randomBytes } from "node:crypto";
import { access, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { cloneDisk, type TemplateImage, type TemplateStore } from "../filesystem/index.js";
import type { SnapshotFiles } from "../vm/index.js";
import { bootOptions } from "./guest.js";
import { type Ctx, vmSpec } from "./sandbox.js";
import { fileKey, vmmVersion } from "./versions.js";

/** Shape is the machine shape a template snapshot was taken with; restores must match it. */
export interface Shape {
  vcpus: number;
  memMiB: number;
  diskMiB: number;
}

/** TemplateSnapshot is a complete template snapshot: memory + manifest + the disk taken with it. */
export type TemplateSnapshot = SnapshotFiles & { disk: string };

const BUILD_MARK = ".build-";
/** SHAPE_FILE records the shape a snapshot was built for, so start-up can recompute its key. */
const SHAPE_FILE = "shape.json";

/**
 * TemplateSnapshots keeps one snapshot per template and shape under
 * `<stateDir>/templates/<name>/<key>/`: the template booted once until envd answered, then
 * migrated to a file. The key covers the image, kernel, initramfs, VMM and shape, so a rebuilt
 * image gets a new snapshot. Concurrent first creates share one build.
 */
export class TemplateSnapshots {
  readonly #ctx: Ctx;
  readonly #templates: TemplateStore;
  readonly #builds = new Map<string, Promise<TemplateSnapshot>>();

  constructor(ctx: Ctx, templates: TemplateStore) {
    this.#ctx = ctx;
    this.#templates = templates;
  }

  /** root is where template snapshots live. */
  get root(): string {
    return join(this.#ctx.stateDir, "templates");
  }

  /** key names the snapshot of `tpl` at `shape` on this host's boot files and VMM. */
  async key(tpl: TemplateImage, shape: Shape): Promise<string> {
    const { images, driver } = this.#ctx;
    const parts = {
      template: tpl.manifest.key,
      kernel: await fileKey(images.kernel),
      initrd: images.initrd ? await fileKey(images.initrd) : null,
      vmm: driver.kind,
      vmmVersion: await vmmVersion(driver.kind),
      shape,
    };
    return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 16);
  }

  /** get returns the template's snapshot, building it first (once, shared) when there is none. */
  async get(tpl: TemplateImage, shape: Shape, signal?: AbortSignal): Promise<TemplateSnapshot> {
    const dir = join(this.root, tpl.name, await this.key(tpl, shape));
    const files = await snapshotFiles(dir);
    if (await complete(files)) return files;
    let p = this.#builds.get(dir);
    if (!p) {
      p = this.#build(tpl, shape, dir).finally(() => this.#builds.delete(dir));
      this.#builds.set(dir, p);
    }
    if (!signal) return p;
    // A caller that gives up stops waiting; the shared build goes on for the others.
    return Promise.race([
      p,
      new Promise<never>((_, reject) => {
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      }),
    ]);
  }

  /** invalidate drops a snapshot the VMM refused (e.g. after a VMM upgrade), so the next create rebuilds it. */
  async invalidate(snap: TemplateSnapshot): Promise<void> {
    await rm(snap.dir, { recursive: true, force: true });
  }

  /** list names the templates that have a snapshot. */
  async list(): Promise<string[]> {
    const out: string[] = [];
    for (const name of await readdir(this.root).catch(() => [] as string[])) {
      const keys = await readdir(join(this.root, name)).catch(() => [] as string[]);
      if (keys.some((k) => !k.includes(BUILD_MARK))) out.push(name);
    }
    return out.sort();
  }

  /**
   * sweep runs at start-up, before any create: it stops VMs and removes directories of builds a
   * crashed agent left half-done, and drops snapshots whose key no longer matches their template,
   * kernel or VMM (rebuilt images), or whose template is gone.
   */
  async sweep(): Promise<string[]> {
    const removed: string[] = [];
    for (const name of await readdir(this.root).catch(() => [] as string[])) {
      for (const k of await readdir(join(this.root, name)).catch(() => [] as string[])) {
        const dir = join(this.root, name, k);
        if (!k.includes(BUILD_MARK)) {
          if (!(await this.#current(name, k, dir))) {
            await rm(dir, { recursive: true, force: true });
            removed.push(dir);
          }
          continue;
        }
        const h = await this.#ctx.driver.adopt(join(dir, "vm")).catch(() => null);
        if (h) await this.#ctx.driver.stop(h, { graceMs: 0 }).catch(() => {});
        await rm(dir, { recursive: true, force: true });
        removed.push(dir);
      }
    }
    return removed;
  }

  /** #current says whether the snapshot in `dir` still has the key its template and shape give now. */
  async #current(name: string, key: string, dir: string): Promise<boolean> {
    try {
      const shape = JSON.parse(await readFile(join(dir, SHAPE_FILE), "utf8")) as Shape;
      return (await this.key(await this.#templates.resolve(name), shape)) === key;
    } catch {
      return false;
    }
  }

  async #build(tpl: TemplateImage, shape: Shape, dir: string): Promise<TemplateSnapshot> {
    const { driver, network, log } = this.#ctx;
    const t0 = performance.now();
    const tmp = `${dir}${BUILD_MARK}${randomBytes(4).toString("hex")}`;
    const id = `tpl-${randomBytes(4).toString("hex")}`;
    await mkdir(tmp, { recursive: true, mode: 0o700 });
    const slot = await network.acquire({ sandboxId: id });
    try {
      const spec = vmSpec(this.#ctx, { id, dir: tmp, vcpus: shape.vcpus, memMiB: shape.memMiB, slot });
      await cloneDisk({ src: tpl.rootfs, dest: spec.rootfs, sizeMiB: shape.diskMiB });
      const h = await driver.boot(spec, bootOptions(driver, { timeoutMs: this.#ctx.bootTimeoutMs }));
      try {
        await driver.snapshot(h, tmp);
      } finally {
        await driver.stop(h, { graceMs: 0 });
      }
      await rm(spec.stateDir, { recursive: true, force: true });
      await rename(spec.rootfs, join(tmp, "disk.img"));
      await writeFile(join(tmp, SHAPE_FILE), `${JSON.stringify(shape)}\n`);
      await rename(tmp, dir);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    } finally {
      await network.release(slot).catch(() => {});
    }
    log.info("template snapshot built", { template: tpl.name, dir, ms: Math.round(performance.now() - t0) });
    return snapshotFiles(dir);
  }
}

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/** snapshotFiles names a snapshot's files in `dir` (Firecracker adds a device-state file). */
async function snapshotFiles(dir: string): Promise<TemplateSnapshot> {
  const state = join(dir, "vmstate.bin");
  return {
    dir,
    memory: join(dir, "memory.bin"),
    manifest: join(dir, "manifest.json"),
    disk: join(dir, "disk.img"),
    ...((await exists(state)) ? { state } : {}),
  };
}

async function complete(f: TemplateSnapshot): Promise<boolean> {
  return (await Promise.all([exists(f.manifest), exists(f.memory), exists(f.disk)])).every(Boolean);
}
