import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { VmSpec } from "../driver.js";
import { detectAccelerator, hostTscKhz } from "./accel.js";
import { kernelCmdline, machineArgs, netnsArgv, qemuPaths, runtimeArgs, shellQuote } from "./args.js";

const spec: VmSpec = {
  id: "sb-1",
  kernel: "/k/vmlinuz",
  initrd: "/k/initrd",
  rootfs: "/vm/a,b.ext4",
  vcpus: 2,
  memMiB: 512,
  kernelArgs: ["loglevel=3"],
  network: {
    netns: "sb-1",
    tap: "tap0",
    mac: "52:54:00:00:00:02",
    guestIp: "10.0.0.2",
    gatewayIp: "10.0.0.1",
  },
  stateDir: "/run/wrenn/sb-1",
};

describe("QEMU argv", () => {
  it("builds a microvm command line as an argv array, escaping commas in paths", () => {
    const cmdline = kernelCmdline(spec, "tcg", 2596130);
    assert.equal(
      cmdline,
      "console=ttyS0 quiet panic=-1 reboot=t root=/dev/vda rw init_on_free=1 wrenn.ip=10.0.0.2/30 wrenn.gw=10.0.0.1 tsc_early_khz=2596130 loglevel=3",
    );
    const argv = netnsArgv("sb-1", [
      ...machineArgs(spec, "tcg", cmdline),
      ...runtimeArgs(spec, qemuPaths(spec.stateDir)),
    ]);
    assert.deepEqual(argv.slice(0, 5), ["ip", "netns", "exec", "sb-1", "qemu-system-x86_64"]);
    const joined = argv.join(" ");
    for (const part of [
      "-M microvm,acpi=on -accel tcg,tb-size=64 -m 512 -smp 2",
      "-nodefaults -no-user-config -nographic -no-reboot",
      "-netdev tap,id=net0,ifname=tap0,script=no,downscript=no",
      "-device virtio-net-device,netdev=net0,mac=52:54:00:00:00:02",
      "-drive if=none,id=disk0,file=/vm/a,,b.ext4,format=raw",
      "-serial file:/run/wrenn/sb-1/serial.log",
      "-qmp unix:/run/wrenn/sb-1/qmp.sock,server=on,wait=off",
    ]) {
      assert.ok(joined.includes(part), `missing ${part}`);
    }
    assert.equal(argv[argv.indexOf("-append") + 1], cmdline);
    assert.ok(!kernelCmdline(spec, "kvm", 2596130).includes("tsc_early_khz"));
    assert.deepEqual(machineArgs(spec, "kvm", "x").slice(0, 6), [
      "-M",
      "microvm,acpi=on",
      "-accel",
      "kvm",
      "-cpu",
      "host",
    ]);
  });

  it("quotes paths for the exec: migration URI", () => {
    assert.equal(shellQuote("/a b/it's"), `'/a b/it'\\''s'`);
  });
});

describe("accelerator detection", () => {
  it("uses KVM only when /dev/kvm is usable and not kvm_pvm", async () => {
    const dir = await mkdtemp(join(tmpdir(), "accel-"));
    try {
      const kvm = join(dir, "kvm");
      const pvm = join(dir, "kvm_pvm");
      assert.equal((await detectAccelerator({ kvmDev: kvm, pvmModule: pvm })).accel, "tcg");
      await writeFile(kvm, "");
      assert.equal((await detectAccelerator({ kvmDev: kvm, pvmModule: pvm })).accel, "kvm");
      await writeFile(pvm, "");
      const c = await detectAccelerator({ kvmDev: kvm, pvmModule: pvm });
      assert.equal(c.accel, "tcg");
      assert.match(c.reason, /kvm_pvm/);
      await writeFile(join(dir, "cpuinfo"), "processor : 0\ncpu MHz\t\t: 2596.130\n");
      assert.equal(await hostTscKhz(join(dir, "cpuinfo")), 2596130);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
