import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { FsError } from "./errors.js";

/** TemplateManifest is images/build/<name>/template.json, written by images/build.sh. */
export interface TemplateManifest {
  name: string;
  /** key hashes the recipe, inputs and envd binary: a template snapshot is valid only for one key. */
  key: string;
  contentMiB: number;
  allocatedBytes: number;
  diskSizeMiB: number;
  memoryMiB: number;
  env: Record<string, string>;
  start: unknown;
}

/** TemplateImage is a built template: its rootfs image and manifest. */
export interface TemplateImage {
  name: string;
  rootfs: string;
  manifest: TemplateManifest;
  /** sizeBytes is the image's apparent size: the smallest disk a sandbox of it may get. */
  sizeBytes: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/**
 * TemplateStore resolves template names to the images `make images` built
 * (`<buildDir>/<name>/rootfs.ext4` + `template.json`), so a create fails early and precisely when a
 * template is unknown or unbuilt.
 */
export class TemplateStore {
  readonly buildDir: string;

  constructor(buildDir: string) {
    this.buildDir = buildDir;
  }

  /** list names every built template (both rootfs.ext4 and template.json present), sorted. */
  async list(): Promise<string[]> {
    const names = await readdir(this.buildDir).catch(() => [] as string[]);
    const built: string[] = [];
    for (const n of names.sort()) {
      if (!NAME.test(n)) continue;
      const dir = join(this.buildDir, n);
      const ok = await Promise.all([isFile(join(dir, "rootfs.ext4")), isFile(join(dir, "template.json"))]);
      if (ok.every(Boolean)) built.push(n);
    }
    return built;
  }

  /** resolve returns a built template or throws `template_not_found` listing the available ones. */
  async resolve(name: string): Promise<TemplateImage> {
    if (!NAME.test(name) || name.includes("..")) {
      throw new FsError("invalid_name", `bad template name ${JSON.stringify(name)}`);
    }
    const dir = join(this.buildDir, name);
    const rootfs = join(dir, "rootfs.ext4");
    let manifest: TemplateManifest;
    let sizeBytes: number;
    try {
      manifest = JSON.parse(await readFile(join(dir, "template.json"), "utf8")) as TemplateManifest;
      sizeBytes = (await stat(rootfs)).size;
    } catch (err) {
      const available = await this.list();
      const have = available.length ? available.join(", ") : "none";
      throw new FsError(
        "template_not_found",
        `template "${name}" is not built in ${this.buildDir} (available: ${have}); build templates with \`make images\``,
        { cause: err },
      );
    }
    return { name, rootfs, manifest, sizeBytes };
  }
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isFile() ?? false;
}
