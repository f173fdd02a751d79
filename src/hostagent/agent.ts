import { access } from "node:fs/promises";
import { join, resolve } from "node:path";
import { CgroupManager, DEFAULT_OVERHEAD_MIB } from "./cgroups/index.js";
import type { AgentConfig } from "./config/index.js";
import { TemplateStore } from "./filesystem/index.js";
import { createSandboxManager, type HostSandboxManager, type Logger } from "./lifecycle/index.js";
import { createHostMetrics, type HostMetrics } from "./metrics/index.js";
import { createNetworkManager, type NetworkManager } from "./network/index.js";
import { StateStore } from "./state/index.js";
import { FirecrackerDriver, QemuDriver, TCG_TB_CACHE_MIB, type VmmDriver } from "./vm/index.js";

/** OpenAgent is an opened host: the sandbox manager plus what shutdown must close. */
export interface OpenAgent {
  manager: HostSandboxManager;
  metrics: HostMetrics;
  network: NetworkManager;
  /** detach lets go of every VM (they keep running for the next agent) and closes the network pool. */
  detach(): Promise<void>;
}

/** bootImages names the kernel (and initramfs) a VMM boots, as `make images` lays them out. */
export function bootImages(cfg: Pick<AgentConfig, "imagesDir" | "vmm">): { kernel: string; initrd?: string } {
  const dir = resolve(cfg.imagesDir);
  return cfg.vmm === "qemu"
    ? { kernel: join(dir, "kernel/vmlinuz"), initrd: join(dir, "initramfs.cpio.gz") }
    : { kernel: join(dir, "firecracker/vmlinux") };
}

/**
 * openAgent opens every host module from the config (state dir, network, cgroups, VMM driver,
 * templates), then recovers: VMs of an earlier agent are re-adopted, half-done creates removed.
 */
export async function openAgent(cfg: AgentConfig, log?: Logger): Promise<OpenAgent> {
  const images = bootImages(cfg);
  for (const f of [images.kernel, images.initrd]) {
    if (f) await access(f).catch(() => log?.warn("boot file missing: run `make images`", { file: f }));
  }
  const store = await StateStore.open(cfg.stateDir);
  const network = await createNetworkManager({
    stateDir: cfg.stateDir,
    prefix: cfg.netnsPrefix,
    baseCidr: cfg.networkCidr,
    poolSize: cfg.networkPool,
    ...(cfg.uplink ? { uplink: cfg.uplink } : {}),
    ...(cfg.hostNetns ? { hostNetns: cfg.hostNetns } : {}),
    onBackgroundError: (err) => log?.warn("network pool refill failed", { error: err.message }),
  });
  try {
    const driver: VmmDriver = cfg.vmm === "qemu" ? new QemuDriver() : new FirecrackerDriver();
    const cgroups = await CgroupManager.open({
      parent: cfg.cgroupParent,
      overheadMiB: await vmmOverheadMiB(driver),
    });
    let manager: HostSandboxManager | undefined;
    const metrics = createHostMetrics({
      defaultMetrics: true,
      sandboxStates: () => {
        const counts: Record<string, number> = {};
        for (const s of manager?.list() ?? []) counts[s.state] = (counts[s.state] ?? 0) + 1;
        return counts;
      },
      sandboxUsage: () => manager?.usageSamples() ?? [],
      capacity: async () => {
        const st = await (manager as HostSandboxManager).status();
        return {
          vcpus: st.vcpus,
          vcpusAllocated: st.usedVcpus,
          memoryBytes: st.memMiB * 2 ** 20,
          memoryAllocatedBytes: st.usedMemMiB * 2 ** 20,
          diskTotalBytes: st.diskMiB * 2 ** 20,
          diskUsedBytes: st.usedDiskMiB * 2 ** 20,
        };
      },
      onError: (source, err) => log?.warn("metrics source failed", { source, error: String(err) }),
    });
    manager = await createSandboxManager({
      hostId: cfg.hostId,
      stateDir: cfg.stateDir,
      driver,
      network,
      cgroups,
      store,
      templates: new TemplateStore(resolve(cfg.imagesDir)),
      images,
      capacity: { vcpus: cfg.hostVcpus, memMiB: cfg.hostMemMiB },
      metrics,
      templateSnapshots: cfg.templateSnapshots,
      ...(log ? { log } : {}),
    });
    const m = manager;
    return {
      manager: m,
      metrics,
      network,
      detach: async () => {
        await m.detach();
        await network.close();
      },
    };
  } catch (err) {
    await network.close().catch(() => {});
    throw err;
  }
}

/**
 * vmmOverheadMiB is the VMM memory its cgroup allows beyond guest RAM. Under TCG QEMU also holds the
 * translated-code cache (bounded by tb-size) and grows more around it, so the margin is wider there.
 */
async function vmmOverheadMiB(driver: VmmDriver): Promise<number> {
  if (!(driver instanceof QemuDriver)) return DEFAULT_OVERHEAD_MIB;
  const { accel } = await driver.accelerator();
  return accel === "tcg" ? DEFAULT_OVERHEAD_MIB + TCG_TB_CACHE_MIB + 64 : DEFAULT_OVERHEAD_MIB;
}
