// bench/vm: cold boot vs snapshot restore of the `minimal` template under the QEMU microvm driver,
// measured to "envd answers /health". Creates (and deletes) its own netns + TAP.
// Usage: node --import tsx bench/vm/main.ts [runs=5]   (needs root and `make images`)
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { waitForEnvd } from "../../src/hostagent/envdclient/index.js";
import { createTap } from "../../src/hostagent/network/index.js";
import { QemuDriver, type VmHandle, type VmSpec } from "../../src/hostagent/vm/index.js";
import { fmt, median, table } from "../stats.js";

const BUILD = resolve(import.meta.dirname, "../../images/build");
const runs = Number(process.argv[2] ?? 5);
const NS = `wrn-bench-${process.pid}`;

async function main(): Promise<void> {
  const template = join(BUILD, "minimal/rootfs.ext4");
  for (const f of [join(BUILD, "kernel/vmlinuz"), join(BUILD, "initramfs.cpio.gz"), template]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run make images`);
  }
  const driver = new QemuDriver();
  const accel = await driver.accelerator();
  const dir = await mkdtemp(join(tmpdir(), "wrenn-bench-vm-"));
  execFileSync("ip", ["netns", "add", NS]);
  const ready = (h: VmHandle, signal: AbortSignal) =>
    waitForEnvd(driver.dialer(h), { timeoutMs: 90_000, signal, attemptTimeoutMs: 500 });
  const boot: number[] = [];
  const snap: number[] = [];
  const restore: number[] = [];
  const sizes: number[] = [];
  try {
    await createTap({
      netns: NS,
      name: "tap0",
      hostIp: "10.0.0.1",
      guestIp: "10.0.0.2",
      guestMac: "52:54:00:00:00:02",
    });
    for (let i = 0; i < runs; i++) {
      const spec: VmSpec = {
        id: `bench${i}`,
        kernel: join(BUILD, "kernel/vmlinuz"),
        initrd: join(BUILD, "initramfs.cpio.gz"),
        rootfs: join(dir, `rootfs${i}.ext4`),
        vcpus: 1,
        memMiB: 256,
        network: {
          netns: NS,
          tap: "tap0",
          mac: "52:54:00:00:00:02",
          guestIp: "10.0.0.2",
          gatewayIp: "10.0.0.1",
        },
        stateDir: join(dir, `vm${i}`),
      };
      execFileSync("cp", ["--reflink=auto", "--sparse=always", template, spec.rootfs]);
      let t = performance.now();
      let h = await driver.boot(spec, { ready });
      boot.push(performance.now() - t);
      t = performance.now();
      const files = await driver.snapshot(h, join(dir, `snap${i}`));
      snap.push(performance.now() - t);
      sizes.push((await stat(files.memory)).size);
      await driver.stop(h);
      t = performance.now();
      h = await driver.restore(spec, files, { ready });
      restore.push(performance.now() - t);
      await driver.stop(h);
      process.stderr.write(
        `run ${i + 1}/${runs}: boot ${fmt(boot[i] ?? 0, 0)} ms, restore ${fmt(restore[i] ?? 0, 0)} ms\n`,
      );
    }
  } finally {
    execFileSync("ip", ["netns", "del", NS]);
    await rm(dir, { recursive: true, force: true });
  }
  console.log(
    `QEMU microvm, accel=${accel.accel} (${accel.reason}), 1 vCPU, 256 MiB, ${runs} runs, medians:`,
  );
  console.log(
    table(
      ["step", "median ms", "min ms", "max ms"],
      [
        [
          "cold boot → envd healthy",
          fmt(median(boot), 0),
          fmt(Math.min(...boot), 0),
          fmt(Math.max(...boot), 0),
        ],
        [
          "snapshot (stop + migrate)",
          fmt(median(snap), 0),
          fmt(Math.min(...snap), 0),
          fmt(Math.max(...snap), 0),
        ],
        [
          "restore → envd healthy",
          fmt(median(restore), 0),
          fmt(Math.min(...restore), 0),
          fmt(Math.max(...restore), 0),
        ],
      ],
    ),
  );
  console.log(
    `snapshot size: ${fmt(median(sizes) / 1e6, 1)} MB; restore is ${fmt(median(boot) / median(restore), 1)}× faster than cold boot`,
  );
}

await main();
