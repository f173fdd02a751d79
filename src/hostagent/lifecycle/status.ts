import { diskSpace, type TemplateStore } from "../filesystem/index.js";
import { QemuDriver } from "../vm/index.js";
import { type HostCapacity, usage } from "./capacity.js";
import type { Ctx } from "./sandbox.js";
import type { HostStatusInfo } from "./types.js";
import { vmmVersion } from "./versions.js";

const MiB = 2 ** 20;

/** StatusDeps are the host facts status reports beside the sandbox table. */
export interface StatusDeps {
  hostId: string;
  capacity: HostCapacity;
  templates: TemplateStore;
  draining: () => boolean;
}

/** hostStatus reports capacity, committed usage, accelerator, software versions and templates. */
export async function hostStatus(ctx: Ctx, d: StatusDeps): Promise<HostStatusInfo> {
  const u = usage(ctx.sandboxes.values());
  const disk = await diskSpace(ctx.stateDir).catch(() => ({ totalBytes: 0, usedBytes: 0, availBytes: 0 }));
  const accel =
    ctx.driver instanceof QemuDriver
      ? await ctx.driver.accelerator()
      : { accel: "kvm", reason: "Firecracker always runs on KVM" };
  const vmm = await vmmVersion(ctx.driver.kind);
  return {
    hostId: d.hostId,
    vcpus: d.capacity.vcpus,
    memMiB: d.capacity.memMiB,
    diskMiB: Math.floor(disk.totalBytes / MiB),
    usedVcpus: u.vcpus,
    usedMemMiB: u.memMiB,
    usedDiskMiB: u.diskMiB,
    sandboxes: ctx.sandboxes.size,
    accelerator: accel.accel,
    acceleratorReason: accel.reason,
    vmm: ctx.driver.kind,
    versions: { node: process.version, [ctx.driver.kind]: vmm, envd: ctx.envdVersion.last },
    templates: await d.templates.list(),
    draining: d.draining(),
  };
}
