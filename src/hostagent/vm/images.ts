import { access, constants } from "node:fs/promises";
import type { VmSpec } from "./driver.js";
import { VmError } from "./errors.js";

/**
 * assertImages checks kernel, initrd and rootfs before a VMM is started, so a missing build product
 * fails with its name and the make target that builds it instead of an opaque VMM exit.
 */
export async function assertImages(spec: VmSpec): Promise<void> {
  const files: Array<[string, string | undefined, number]> = [
    ["kernel", spec.kernel, constants.R_OK],
    ["initrd", spec.initrd, constants.R_OK],
    ["rootfs", spec.rootfs, constants.R_OK | constants.W_OK],
  ];
  for (const [what, path, mode] of files) {
    if (path === undefined) continue;
    try {
      await access(path, mode);
    } catch (err) {
      throw new VmError(
        "missing_image",
        `${what} ${path} is missing or not accessible (build it with \`make images\`)`,
        {
          cause: err,
        },
      );
    }
  }
}

/** assertSpec rejects specs no backend can run. */
export function assertSpec(spec: VmSpec): void {
  const bad = (why: string) => new VmError("invalid_spec", `VM ${spec.id}: ${why}`);
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/.test(spec.id)) throw bad("id must be 1-63 of [A-Za-z0-9_-]");
  if (!Number.isInteger(spec.vcpus) || spec.vcpus < 1 || spec.vcpus > 32) throw bad("vcpus must be 1..32");
  if (!Number.isInteger(spec.memMiB) || spec.memMiB < 64) throw bad("memMiB must be an integer ≥ 64");
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(spec.network.mac)) throw bad(`bad MAC ${spec.network.mac}`);
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(spec.network.tap)) throw bad(`bad TAP name ${spec.network.tap}`);
  if (spec.vsockCid !== undefined && (!Number.isInteger(spec.vsockCid) || spec.vsockCid < 3))
    throw bad("vsockCid must be ≥ 3");
}
