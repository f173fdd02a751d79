import { execFile } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { promisify } from "node:util";
import type { VmmKind } from "../vm/index.js";

const run = promisify(execFile);
const BINARY: Record<VmmKind, string> = { qemu: "qemu-system-x86_64", firecracker: "firecracker" };
const cache = new Map<VmmKind, Promise<string>>();

/** vmmVersion is the VMM's `--version` first line ("" if it does not run): reported and part of snapshot keys. */
export function vmmVersion(kind: VmmKind): Promise<string> {
  let v = cache.get(kind);
  if (!v) {
    v = run(BINARY[kind], ["--version"]).then(
      (r) => r.stdout.split("\n")[0]?.trim() ?? "",
      () => "",
    );
    cache.set(kind, v);
  }
  return v;
}

/**
 * fileKey identifies a boot file: the content key `make images` wrote beside it (`<file>.key`,
 * or `key` in the file's own folder) when present, else its size and mtime.
 */
export async function fileKey(path: string): Promise<string> {
  for (const k of [`${path}.key`, join(dirname(path), "key")]) {
    const text = await readFile(k, "utf8").catch(() => "");
    if (text.trim()) return `${basename(path)}:${text.trim()}`;
  }
  const s = await stat(path).catch(() => null);
  return s ? `${basename(path)}:${s.size}:${Math.round(s.mtimeMs)}` : `${basename(path)}:missing`;
}
