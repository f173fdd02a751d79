import { readFile } from "node:fs/promises";
import { VmError } from "../errors.js";
import { type MachineFingerprint, writeJsonAtomic } from "../fingerprint.js";
import type { Accelerator } from "./accel.js";

/** MANIFEST_VERSION changes whenever the manifest layout or the argv recipe changes. */
export const MANIFEST_VERSION = 1;

/** QemuManifest is manifest.json of a QEMU snapshot. */
export interface QemuManifest {
  version: number;
  kind: "qemu";
  qemuVersion: string;
  accel: Accelerator;
  /** cmdline is the guest kernel command line of the original boot, reused verbatim at restore. */
  cmdline: string;
  fingerprint: MachineFingerprint;
  memory: { file: string; size: number };
  createdAt: string;
}

/** writeManifest stores the manifest atomically; it is written last, so its presence marks a complete snapshot. */
export async function writeManifest(path: string, m: QemuManifest): Promise<void> {
  await writeJsonAtomic(path, m);
}

/** readManifest loads and validates a manifest; any defect is "invalid_snapshot". */
export async function readManifest(path: string): Promise<QemuManifest> {
  let m: QemuManifest;
  try {
    m = JSON.parse(await readFile(path, "utf8")) as QemuManifest;
  } catch (err) {
    throw new VmError("invalid_snapshot", `snapshot manifest ${path} is missing or not JSON`, { cause: err });
  }
  if (m.kind !== "qemu" || m.version !== MANIFEST_VERSION) {
    throw new VmError("invalid_snapshot", `${path} is not a QEMU snapshot manifest v${MANIFEST_VERSION}`);
  }
  if (typeof m.cmdline !== "string" || !m.fingerprint || typeof m.memory?.size !== "number") {
    throw new VmError("invalid_snapshot", `${path} lacks required fields`);
  }
  return m;
}
