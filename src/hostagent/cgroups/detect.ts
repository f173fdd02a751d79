import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { CgroupError } from "./errors.js";
import type { V1Mounts } from "./v1.js";

/** CgroupLayout is what the host runs: unified v2 (production) or the v1 controllers (legacy hosts). */
export type CgroupLayout = { version: 2; root: string } | { version: 1; mounts: V1Mounts };

const NEEDED = ["cpu", "memory", "pids"];

/**
 * detectCgroups picks v2 when a cgroup2 mount offers cpu, memory and pids, else v1 when those
 * controllers (plus cpuacct) are mounted; hybrid hosts with an empty cgroup2 thus get v1.
 */
export async function detectCgroups(mountsFile = "/proc/self/mounts"): Promise<CgroupLayout> {
  let text: string;
  try {
    text = await readFile(mountsFile, "utf8");
  } catch (err) {
    throw new CgroupError("unsupported", `cannot read ${mountsFile}`, { cause: err });
  }
  const v1: Partial<V1Mounts> = {};
  for (const line of text.split("\n")) {
    const [, dir, type, opts] = line.split(" ");
    if (!dir || !opts) continue;
    const path = unescapeMount(dir);
    if (type === "cgroup2") {
      const ctrls = await readFile(join(path, "cgroup.controllers"), "utf8").catch(() => "");
      const have = ctrls.trim().split(/\s+/);
      if (NEEDED.every((c) => have.includes(c))) return { version: 2, root: path };
    } else if (type === "cgroup") {
      for (const o of opts.split(",")) {
        if (o === "cpu" || o === "cpuacct" || o === "memory" || o === "pids") v1[o] ??= path;
      }
    }
  }
  if (v1.cpu && v1.cpuacct && v1.memory && v1.pids) {
    return { version: 1, mounts: { cpu: v1.cpu, cpuacct: v1.cpuacct, memory: v1.memory, pids: v1.pids } };
  }
  throw new CgroupError(
    "unsupported",
    "no cgroup v2 with cpu+memory+pids and no v1 cpu/cpuacct/memory/pids mounts",
  );
}

// /proc/mounts escapes space, tab, newline and backslash as octal
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}
