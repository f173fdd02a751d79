import { readFile } from "node:fs/promises";
import { VmError } from "../errors.js";
import type { MachineFingerprint } from "../fingerprint.js";

/** FC_MANIFEST_VERSION changes with the manifest layout. */
export const FC_MANIFEST_VERSION = 1;

/** FirecrackerManifest is manifest.json of a Firecracker snapshot. */
export interface FirecrackerManifest {
  version: number;
  kind: "firecracker";
  /** vmmVersion must equal the restoring Firecracker's: snapshot state is build-specific. */
  vmmVersion: string;
  /** rootfs is the disk path Firecracker reopens on load (as it saw it: chroot-relative when jailed). */
  rootfs: string;
  fingerprint: MachineFingerprint;
  memory: { file: string; size: number };
  state: { file: string; size: number };
  createdAt: string;
}

/** readFcManifest loads and validates a manifest; any defect is "invalid_snapshot". */
export async function readFcManifest(path: string): Promise<FirecrackerManifest> {
  let m: FirecrackerManifest;
  try {
    m = JSON.parse(await readFile(path, "utf8")) as FirecrackerManifest;
  } catch (err) {
    throw new VmError("invalid_snapshot", `snapshot manifest ${path} is missing or not JSON`, { cause: err });
  }
  if (
    m.kind !== "firecracker" ||
    m.version !== FC_MANIFEST_VERSION ||
    !m.fingerprint ||
    !m.memory ||
    !m.state
  ) {
    throw new VmError(
      "invalid_snapshot",
      `${path} is not a Firecracker snapshot manifest v${FC_MANIFEST_VERSION}`,
    );
  }
  return m;
}
