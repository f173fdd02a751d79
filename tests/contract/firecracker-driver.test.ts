// The real FirecrackerDriver (process spawn in a netns, API sequences, state file, adopt, hybrid-vsock
// dialer, snapshot manifest checks) driving the FAKE Firecracker (fake-firecracker-bin.ts) as its
// binary. What a real guest would do is out of scope: the fake only answers the API and vsock /health.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { waitForEnvd } from "../../src/hostagent/envdclient/index.js";
import {
  FirecrackerDriver,
  type SnapshotFiles,
  VmError,
  type VmHandle,
  type VmSpec,
} from "../../src/hostagent/vm/index.js";

const ROOT = resolve(import.meta.dirname, "../..");
const NS = `wrn-fc-${process.pid}`;

describe("FirecrackerDriver against the fake Firecracker binary", () => {
  let dir: string;
  let spec: VmSpec;
  let driver: FirecrackerDriver;
  let h: VmHandle | undefined;
  let snap: SnapshotFiles;
  const ready = (vm: VmHandle, signal: AbortSignal) =>
    waitForEnvd(driver.dialer(vm), { timeoutMs: 15_000, signal });

  const calls = async (vm: VmHandle) =>
    (await readFile(join(vm.spec.stateDir, "fc.sock.calls.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map(
        (l) =>
          JSON.parse(l) as { method: string; path: string; status: number; body: Record<string, unknown> },
      );

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "fc-driver-"));
    execFileSync("ip", ["netns", "add", NS]);
    const bin = join(dir, "firecracker");
    await writeFile(
      bin,
      `#!/bin/sh\ncd ${ROOT} && exec node --import tsx tests/contract/fake-firecracker-bin.ts "$@"\n`,
    );
    await chmod(bin, 0o755);
    await writeFile(join(dir, "vmlinux"), "kernel");
    await writeFile(join(dir, "rootfs.ext4"), Buffer.alloc(1 << 20));
    driver = new FirecrackerDriver({ binary: bin });
    spec = {
      id: "fc1",
      kernel: join(dir, "vmlinux"),
      rootfs: join(dir, "rootfs.ext4"),
      vcpus: 2,
      memMiB: 128,
      network: { netns: NS, tap: "tap0", mac: "02:fc:00:00:00:01", guestIp: "169.254.0.21" },
      vsockCid: 3,
      stateDir: join(dir, "vm"),
    };
  });
  after(async () => {
    if (h) await driver.stop(h).catch(() => {});
    execFileSync("ip", ["netns", "del", NS]);
    await rm(dir, { recursive: true, force: true });
  });

  it("boots through the API and reaches 'envd' over hybrid vsock", async () => {
    h = await driver.boot(spec, { ready });
    const c = await calls(h);
    assert.ok(
      c.every((x) => x.status < 300),
      JSON.stringify(c.filter((x) => x.status >= 300)),
    );
    assert.deepEqual(c.at(-1), {
      method: "PUT",
      path: "/actions",
      status: 204,
      body: { action_type: "InstanceStart" },
    });
    assert.ok(existsSync(join(spec.stateDir, "vm.json")));
  });

  it("pauses, resumes and re-adopts from the state dir", async () => {
    await driver.pause(h as VmHandle);
    await driver.resume(h as VmHandle);
    const adopted = await new FirecrackerDriver().adopt(spec.stateDir);
    assert.equal(adopted?.pid, h?.pid);
  });

  it("snapshots, stops and restores with overrides", async () => {
    snap = await driver.snapshot(h as VmHandle, join(dir, "snap"));
    assert.ok(snap.state && existsSync(snap.state) && existsSync(snap.memory) && existsSync(snap.manifest));
    await driver.stop(h as VmHandle);
    assert.ok(!existsSync(join(spec.stateDir, "vm.json")));
    h = await driver.restore(spec, snap, { ready });
    const load = (await calls(h)).find((x) => x.path === "/snapshot/load");
    assert.equal(load?.status, 204);
    assert.deepEqual(load?.body.network_overrides, [{ iface_id: "eth0", host_dev_name: "tap0" }]);
  });

  it("refuses foreign or truncated snapshots before starting anything", async () => {
    const other = { ...spec, id: "fc2", stateDir: join(dir, "vm2") };
    await assert.rejects(
      driver.restore({ ...other, memMiB: 256 }, snap),
      (e) => e instanceof VmError && e.code === "invalid_snapshot" && /memMiB/.test(e.message),
    );
    await writeFile(snap.memory, "short");
    await assert.rejects(
      driver.restore(other, snap),
      (e) => e instanceof VmError && e.code === "invalid_snapshot",
    );
    assert.ok(!existsSync(join(other.stateDir, "vm.json")));
  });

  it("stops and leaves nothing behind", async () => {
    const pid = (h as VmHandle).pid;
    await driver.stop(h as VmHandle);
    h = undefined;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    assert.ok(!cmdline.includes(dir), "the fake Firecracker is gone");
  });
});

describe("FirecrackerDriver in jailer mode (fake jailer + fake Firecracker)", () => {
  const ns = `wrn-fcj-${process.pid}`;
  let dir: string;
  let driver: FirecrackerDriver;
  let spec: VmSpec;
  let h: VmHandle | undefined;
  const ready = (vm: VmHandle, signal: AbortSignal) =>
    waitForEnvd(driver.dialer(vm), { timeoutMs: 15_000, signal });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "fc-jail-"));
    execFileSync("ip", ["netns", "add", ns]);
    const script = async (name: string, target: string) => {
      await writeFile(join(dir, name), `#!/bin/sh\ncd ${ROOT} && exec node --import tsx ${target} "$@"\n`);
      await chmod(join(dir, name), 0o755);
    };
    await script("firecracker", "tests/contract/fake-firecracker-bin.ts");
    await script("jailer", "tests/contract/fake-jailer-bin.ts");
    await writeFile(join(dir, "vmlinux"), "kernel");
    await writeFile(join(dir, "rootfs.ext4"), Buffer.alloc(1 << 20));
    driver = new FirecrackerDriver({
      jailer: {
        binary: join(dir, "jailer"),
        execFile: join(dir, "firecracker"),
        uid: 65534,
        gid: 65534,
        chrootBaseDir: join(dir, "jail"),
        cgroups: { "memory.max": "256M" },
      },
    });
    spec = {
      id: "fcj1",
      kernel: join(dir, "vmlinux"),
      rootfs: join(dir, "rootfs.ext4"),
      vcpus: 1,
      memMiB: 128,
      network: { netns: ns, tap: "tap0", mac: "02:fc:00:00:00:02", guestIp: "169.254.0.21" },
      vsockCid: 3,
      stateDir: join(dir, "vm"),
    };
  });
  after(async () => {
    if (h) await driver.stop(h).catch(() => {});
    execFileSync("ip", ["netns", "del", ns]);
    await rm(dir, { recursive: true, force: true });
  });

  it("boots with chroot-relative paths, snapshots out of the jail and restores into a new one", async () => {
    h = await driver.boot(spec, { ready });
    const root = join(dir, "jail/firecracker/fcj1/root");
    const log = (await readFile(join(root, "run/firecracker.socket.calls.jsonl"), "utf8")).trim().split("\n");
    const boot = log.map((l) => JSON.parse(l) as { path: string; body: Record<string, unknown> });
    assert.equal(boot.find((c) => c.path === "/boot-source")?.body.kernel_image_path, "/vmlinux");
    assert.equal(boot.find((c) => c.path === "/drives/rootfs")?.body.path_on_host, "/rootfs.ext4");
    assert.equal(boot.find((c) => c.path === "/vsock")?.body.uds_path, "/run/vsock.sock");
    const snap = await driver.snapshot(h, join(dir, "snap"));
    assert.ok(snap.state && existsSync(snap.state) && existsSync(snap.memory));
    assert.ok(!existsSync(join(root, "snapshot.mem")), "snapshot files moved out of the jail");
    await driver.stop(h);
    h = undefined;
    assert.ok(!existsSync(join(dir, "jail/firecracker/fcj1")), "jail removed with the VM");
    h = await driver.restore(spec, snap, { ready });
    await driver.stop(h);
    h = undefined;
  });
});
