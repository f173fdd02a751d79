import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { writeFileAtomic } from "../state/index.js";
import type { VmSpec } from "./driver.js";

/** FileFingerprint identifies a kernel/initrd by content. */
export interface FileFingerprint {
  size: number;
  sha256: string;
}

/** MachineFingerprint is what must match between the snapshotted VM and the restore spec. */
export interface MachineFingerprint {
  machine: string;
  memMiB: number;
  vcpus: number;
  mac: string;
  vsockCid: number | null;
  rootfsSize: number;
  kernel: FileFingerprint;
  initrd: FileFingerprint | null;
}

const hashCache = new Map<string, { key: string; fp: FileFingerprint }>();

/** fileFingerprint hashes a file (cached by path+size+mtime, kernels are re-read only when rebuilt). */
export async function fileFingerprint(path: string): Promise<FileFingerprint> {
  const s = await stat(path);
  const key = `${s.size}:${s.mtimeMs}`;
  const hit = hashCache.get(path);
  if (hit?.key === key) return hit.fp;
  const h = createHash("sha256");
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  const fp = { size: s.size, sha256: h.digest("hex") };
  hashCache.set(path, { key, fp });
  return fp;
}

/** fingerprint computes a spec's machine fingerprint (paths are left out: files may move). */
export async function fingerprint(spec: VmSpec, machine: string): Promise<MachineFingerprint> {
  return {
    machine,
    memMiB: spec.memMiB,
    vcpus: spec.vcpus,
    mac: spec.network.mac.toLowerCase(),
    vsockCid: spec.vsockCid ?? null,
    rootfsSize: (await stat(spec.rootfs)).size,
    kernel: await fileFingerprint(spec.kernel),
    initrd: spec.initrd ? await fileFingerprint(spec.initrd) : null,
  };
}

/** diffFingerprints lists human-readable mismatches ("memMiB: snapshot 256, spec 512"). */
export function diffFingerprints(snap: MachineFingerprint, spec: MachineFingerprint): string[] {
  const out: string[] = [];
  for (const k of Object.keys(snap) as Array<keyof MachineFingerprint>) {
    const a = JSON.stringify(snap[k]);
    const b = JSON.stringify(spec[k]);
    if (a !== b) out.push(`${k}: snapshot ${a}, spec ${b}`);
  }
  return out;
}

/** writeJsonAtomic writes JSON via the state module's temp file + fsync + rename: never half a file. */
export async function writeJsonAtomic(path: string, value: unknown, mode = 0o644): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, mode);
}
