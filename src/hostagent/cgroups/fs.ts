import { access, mkdir, readdir, readFile, rmdir, writeFile } from "node:fs/promises";

/**
 * CgroupFs is the handful of file operations the backends use. The real one talks to cgroupfs;
 * tests substitute a fake directory tree for hierarchies this machine does not have (v2).
 */
export interface CgroupFs {
  read(path: string): Promise<string>;
  /** write replaces a control file's value; the file must exist (cgroupfs never creates files). */
  write(path: string, value: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  mkdir(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  /** listDirs names the child directories (child cgroups) of `path`. */
  listDirs(path: string): Promise<string[]>;
}

/** nodeCgroupFs is CgroupFs on the real cgroup filesystem. */
export const nodeCgroupFs: CgroupFs = {
  read: (path) => readFile(path, "utf8"),
  write: (path, value) => writeFile(path, value, { flag: "r+" }),
  exists: (path) =>
    access(path).then(
      () => true,
      () => false,
    ),
  mkdir: async (path) => {
    await mkdir(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "EEXIST") throw err;
    });
  },
  rmdir: async (path) => {
    await rmdir(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "ENOENT") throw err;
    });
  },
  listDirs: async (path) => {
    const ents = await readdir(path, { withFileTypes: true }).catch(() => []);
    return ents.filter((e) => e.isDirectory()).map((e) => e.name);
  },
};

/** readKeyed parses flat-keyed files (`cpu.stat`, `memory.events`, `memory.oom_control`). */
export function readKeyed(text: string, key: string): number {
  const m = new RegExp(`^${key} (\\d+)$`, "m").exec(text);
  return m?.[1] === undefined ? 0 : Number(m[1]);
}
