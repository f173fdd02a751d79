import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { CgroupFs } from "./fs.js";

/** V2_FILES are the interface files the kernel creates in every new v2 group (with their defaults). */
const V2_FILES: Record<string, string> = {
  "cgroup.procs": "",
  "cgroup.subtree_control": "",
  "cgroup.kill": "",
  "cpu.max": "max 100000",
  "cpu.stat": "usage_usec 0\n",
  "memory.max": "max",
  "memory.swap.max": "max",
  "memory.current": "0",
  "memory.events": "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n",
  "pids.max": "max",
  "pids.current": "0",
};

/**
 * fakeV2Fs is a FAKE cgroup v2 filesystem over an ordinary directory tree, for hosts without v2
 * controllers: mkdir adds the kernel's interface files, writes must target existing files,
 * `cgroup.subtree_control` keeps "+ctrl" writes as the kernel shows them, `cgroup.kill` empties
 * `cgroup.procs`, and rmdir refuses a group that still lists processes (EBUSY).
 */
export function fakeV2Fs(): CgroupFs {
  return {
    read: (path) => readFile(path, "utf8"),
    write: async (path, value) => {
      await stat(path); // ENOENT like cgroupfs, which never creates files
      const dir = join(path, "..");
      if (path.endsWith("cgroup.subtree_control")) {
        const cur = new Set((await readFile(path, "utf8")).split(/\s+/).filter(Boolean));
        for (const tok of value.split(/\s+/).filter(Boolean)) {
          if (tok.startsWith("+")) cur.add(tok.slice(1));
          else if (tok.startsWith("-")) cur.delete(tok.slice(1));
        }
        return writeFile(path, [...cur].join(" "));
      }
      if (path.endsWith("cgroup.kill")) return writeFile(join(dir, "cgroup.procs"), "");
      return writeFile(path, value);
    },
    exists: (path) =>
      stat(path).then(
        () => true,
        () => false,
      ),
    mkdir: async (path) => {
      await mkdir(path, { recursive: true });
      for (const [name, value] of Object.entries(V2_FILES)) {
        if (!(await stat(join(path, name)).catch(() => null))) await writeFile(join(path, name), value);
      }
    },
    rmdir: async (path) => {
      const procs = await readFile(join(path, "cgroup.procs"), "utf8").catch(() => "");
      if (procs.trim()) throw new Error(`EBUSY: ${path} still has processes`);
      await rm(path, { recursive: true, force: true });
    },
    listDirs: async (path) =>
      (await readdir(path, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name),
  };
}
