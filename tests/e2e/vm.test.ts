// Real-VM end-to-end test of the QEMU microvm driver and the envd client: boots the `minimal`
// template from images/build (`make images`) in a netns + TAP this test creates and deletes.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, open, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createEnvdClient, type EnvdClient, waitForEnvd } from "../../src/hostagent/envdclient/index.js";
import { createTap, deleteTap } from "../../src/hostagent/network/index.js";
import {
  QemuDriver,
  type SnapshotFiles,
  VmError,
  type VmHandle,
  type VmSpec,
} from "../../src/hostagent/vm/index.js";

const BUILD = resolve(import.meta.dirname, "../../images/build");
const KERNEL = join(BUILD, "kernel/vmlinuz");
const INITRD = join(BUILD, "initramfs.cpio.gz");
const TEMPLATE = join(BUILD, "minimal/rootfs.ext4");
const missing = [KERNEL, INITRD, TEMPLATE].filter((f) => !existsSync(f));
const NS = `wrn-e2e-${process.pid}`;
const TAP = "tap0";
const GUEST = { ip: "10.0.0.2", mac: "52:54:00:12:34:56", gw: "10.0.0.1" };

/** qemuPids lists QEMU processes whose command line mentions `dir` (leftover check). */
async function qemuPids(dir: string): Promise<number[]> {
  const out: number[] = [];
  for (const p of await readdir("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    const cmd = await readFile(`/proc/${p}/cmdline`, "utf8").catch(() => "");
    if (cmd.includes(dir) && /qemu-system|socat/.test(cmd)) {
      console.log(`leftover ${p}: ${cmd.replaceAll("\0", " ")}`);
      out.push(Number(p));
    }
  }
  return out;
}

describe("QEMU microvm driver end to end", {
  skip: missing.length ? `missing ${missing.join(", ")}: run make images` : false,
}, () => {
  const driver = new QemuDriver();
  let dir: string;
  let spec: VmSpec;
  let h: VmHandle | undefined;
  let client: EnvdClient | undefined;
  let snap: SnapshotFiles;

  const ready = (vm: VmHandle, signal: AbortSignal) =>
    waitForEnvd(driver.dialer(vm), { timeoutMs: 90_000, signal, attemptTimeoutMs: 500 });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "wrenn-e2e-"));
    execFileSync("ip", ["netns", "add", NS]);
    await createTap({ netns: NS, name: TAP, hostIp: GUEST.gw, guestIp: GUEST.ip, guestMac: GUEST.mac });
    execFileSync("cp", ["--reflink=auto", "--sparse=always", TEMPLATE, join(dir, "rootfs.ext4")]);
    spec = {
      id: "e2e",
      kernel: KERNEL,
      initrd: INITRD,
      rootfs: join(dir, "rootfs.ext4"),
      vcpus: 1,
      memMiB: 256,
      network: { netns: NS, tap: TAP, mac: GUEST.mac, guestIp: GUEST.ip, gatewayIp: GUEST.gw },
      stateDir: join(dir, "vm"),
    };
  });

  after(async () => {
    await client?.close();
    if (h) await driver.stop(h).catch(() => {});
    await deleteTap({ netns: NS, name: TAP }).catch(() => {});
    execFileSync("ip", ["netns", "del", NS]);
    assert.deepEqual(await qemuPids(dir), [], "no QEMU or forwarder left running");
    await rm(dir, { recursive: true, force: true });
  });

  it("reports the accelerator it chose", async () => {
    const a = await driver.accelerator();
    assert.ok(a.accel === "kvm" || a.accel === "tcg");
    assert.ok(a.reason.length > 0);
  });

  it("fails clearly when an image is missing", async () => {
    await assert.rejects(
      driver.boot({ ...spec, id: "nokernel", kernel: join(dir, "nope"), stateDir: join(dir, "nokernel") }),
      (e) =>
        e instanceof VmError &&
        e.code === "missing_image" &&
        /make images/.test(e.message) &&
        e.message.includes("nope"),
    );
  });

  it("reports a guest that dies during boot with its serial log, leaving nothing behind", async () => {
    const bad = { ...spec, id: "baddisk", rootfs: join(dir, "zero.img"), stateDir: join(dir, "baddisk") };
    execFileSync("truncate", ["-s", "16M", bad.rootfs]); // not a filesystem: the initramfs powers off
    await assert.rejects(
      driver.boot(bad, { ready }),
      (e) => e instanceof VmError && e.code === "boot_failed" && /wrenn-initramfs|mount/.test(e.detail ?? ""),
    );
    assert.deepEqual(await qemuPids(bad.stateDir), []);
    assert.ok(!existsSync(join(bad.stateDir, "vm.json")));
  });

  it("boots and envd answers", async () => {
    const t0 = Date.now();
    h = await driver.boot(spec, { ready });
    console.log(`boot to envd healthy: ${Date.now() - t0} ms (${(await driver.accelerator()).accel})`);
    client = createEnvdClient({ dialer: driver.dialer(h) });
    await client.init({
      envVars: { WRENN_MARK: "before-snapshot" },
      defaultUser: "root",
      timestamp: new Date().toISOString(),
    });
  });

  it("runs uname -a", async () => {
    const r = await (client as EnvdClient).run("uname", { args: ["-a"] });
    assert.equal(r.exitCode, 0);
    assert.match(r.stdout.toString(), /Linux/);
  });

  it("writes and reads back 5 MiB", async () => {
    const data = Buffer.alloc(5 << 20);
    for (let i = 0; i < data.length; i += 4) data.writeUInt32LE(i, i);
    await (client as EnvdClient).upload(
      "/tmp/five.bin",
      Readable.from([data.subarray(0, 1 << 20), data.subarray(1 << 20)]),
    );
    const res = await (client as EnvdClient).download("/tmp/five.bin");
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    assert.ok(Buffer.concat(chunks).equals(data), "5 MiB round trip differs");
  });

  it("re-adopts the VM from its state dir with a fresh driver", async () => {
    // QMP serves one client at a time, as after a real restart the first driver lets go.
    await driver.detach(h as VmHandle);
    const other = new QemuDriver();
    const adopted = await other.adopt(spec.stateDir);
    assert.equal(adopted?.pid, h?.pid);
    await other.pause(adopted as VmHandle);
    await other.resume(adopted as VmHandle);
    await other.detach(adopted as VmHandle);
    assert.equal(await other.adopt(join(dir, "empty")), null);
    h = (await driver.adopt(spec.stateDir)) ?? undefined;
    assert.ok(h);
    await client?.close(); // its dialer was closed by detach
    client = createEnvdClient({ dialer: driver.dialer(h) });
    await client.health();
  });

  it("snapshots, stops and restores with guest state intact", async () => {
    const c = client as EnvdClient;
    let counter = false;
    c.exec("/bin/sh", {
      args: ["-c", "i=0; while :; do i=$((i+1)); echo $i > /tmp/counter; sleep 0.2; done"],
    });
    await sleep(1500);
    counter = true;
    // Reads through whichever client is current (the restored VM's after the restore).
    const readCounter = async () =>
      Number((await (client as EnvdClient).run("cat", { args: ["/tmp/counter"] })).stdout.toString());
    const before = counter ? await readCounter().catch(() => Number.NaN) : Number.NaN;
    counter &&= Number.isFinite(before) && before > 0;

    const t0 = Date.now();
    snap = await driver.snapshot(h as VmHandle, join(dir, "snap"));
    console.log(`snapshot: ${Date.now() - t0} ms`);
    await c.close();
    client = undefined;
    await driver.stop(h as VmHandle);
    h = undefined;
    assert.deepEqual(await qemuPids(spec.stateDir), []);
    assert.ok(!existsSync(join(spec.stateDir, "qmp.sock")) && !existsSync(join(spec.stateDir, "vm.json")));

    const t1 = Date.now();
    h = await driver.restore(spec, snap, { ready });
    console.log(`restore to envd healthy: ${Date.now() - t1} ms`);
    client = createEnvdClient({ dialer: driver.dialer(h) });
    const envs = await client.envs();
    assert.equal(envs.WRENN_MARK, "before-snapshot", "guest memory survived the restore");
    if (counter) {
      const after1 = await readCounter();
      console.log(`counter before snapshot ${before}, right after restore ${after1}`);
      assert.ok(after1 >= before, `counter went back: ${before} → ${after1}`);
      await sleep(1000);
      assert.ok((await readCounter()) > after1, "counter stopped after restore");
    }
  });

  it("refuses corrupt and foreign snapshots and leaves no VM running", async () => {
    const other = { ...spec, id: "bad", stateDir: join(dir, "bad") };
    await assert.rejects(
      driver.restore({ ...other, memMiB: 512 }, snap),
      (e) => e instanceof VmError && e.code === "invalid_snapshot" && /memMiB/.test(e.message),
    );
    const fh = await open(snap.memory, "r+");
    await fh.write(Buffer.from("JUNK"), 0, 4, 0); // break the stream's magic, keep its size
    await fh.close();
    await assert.rejects(
      driver.restore(other, snap),
      (e) => e instanceof VmError && e.code === "restore_failed",
    );
    assert.deepEqual(await qemuPids(other.stateDir), []);
    await rm(snap.manifest);
    await assert.rejects(
      driver.restore(other, snap),
      (e) => e instanceof VmError && e.code === "invalid_snapshot",
    );
  });

  it("snapshots with a disk copy, resumes, and restores the copy elsewhere", async () => {
    const files = await driver.snapshot(h as VmHandle, join(dir, "snap2"), { copyDisk: true });
    assert.ok(files.disk && existsSync(files.disk));
    await driver.resume(h as VmHandle); // safe: the snapshot has its own disk
    const r = await (client as EnvdClient).run("sh", {
      args: ["-c", "echo resumed > /root/after.txt && sync && echo ok"],
    });
    assert.equal(r.stdout.toString().trim(), "ok");
    const clone = { ...spec, id: "clone", rootfs: join(dir, "clone.ext4"), stateDir: join(dir, "clone") };
    await client?.close();
    client = undefined;
    await driver.stop(h as VmHandle); // the clone reuses the TAP
    h = await driver.restore(clone, files, { ready });
    client = createEnvdClient({ dialer: driver.dialer(h) });
    assert.equal((await client.envs()).WRENN_MARK, "before-snapshot");
    const ls = await client.run("sh", { args: ["-c", "test -e /root/after.txt && echo yes || echo no"] });
    assert.equal(
      ls.stdout.toString().trim(),
      "no",
      "the clone's disk is the snapshot's, not the resumed VM's",
    );
  });

  it("stops cleanly", async () => {
    await client?.close();
    client = undefined;
    await driver.stop(h as VmHandle);
    h = undefined;
    assert.deepEqual(await qemuPids(dir), []);
  });

  it("aborts a boot on request and cleans up", async () => {
    const spec2 = { ...spec, id: "aborted", stateDir: join(dir, "aborted") };
    await assert.rejects(
      driver.boot(spec2, { ready, signal: AbortSignal.timeout(800) }),
      (e) => e instanceof VmError && e.code === "aborted",
    );
    assert.deepEqual(await qemuPids(spec2.stateDir), []);
    assert.ok(!existsSync(join(spec2.stateDir, "vm.json")));
  });
});
