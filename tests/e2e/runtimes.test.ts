// Real-VM check of the language templates: boots python311 and node20 (images/build, `make images`)
// in a netns + TAP this test creates and deletes, and runs a one-liner in each.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { createEnvdClient, waitForEnvd } from "../../src/hostagent/envdclient/index.js";
import { createTap, deleteTap } from "../../src/hostagent/network/index.js";
import { QemuDriver, type VmHandle } from "../../src/hostagent/vm/index.js";

const BUILD = resolve(import.meta.dirname, "../../images/build");
const NS = `wrn-rt-${process.pid}`;
const GUEST = { ip: "10.0.0.2", mac: "52:54:00:12:34:57", gw: "10.0.0.1" };

const cases = [
  {
    template: "python311",
    memMiB: 256,
    cmd: "python3",
    args: ["-c", "import sys, json; print(json.dumps({'py': sys.version_info[:2]}))"],
    want: /\{"py": \[3, 11\]\}/,
  },
  {
    template: "node20",
    memMiB: 512,
    cmd: "node",
    args: ["-e", "console.log(JSON.stringify({node: process.versions.node.split('.')[0]}))"],
    want: /\{"node":"20"\}/,
  },
];

describe("language templates boot and run code", () => {
  const driver = new QemuDriver();
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "wrenn-rt-"));
    execFileSync("ip", ["netns", "add", NS]);
    await createTap({ netns: NS, name: "tap0", hostIp: GUEST.gw, guestIp: GUEST.ip, guestMac: GUEST.mac });
  });
  after(async () => {
    await deleteTap({ netns: NS, name: "tap0" }).catch(() => {});
    execFileSync("ip", ["netns", "del", NS]);
    await rm(dir, { recursive: true, force: true });
  });

  for (const c of cases) {
    const rootfs = join(BUILD, c.template, "rootfs.ext4");
    it(`runs a ${c.template} one-liner`, {
      skip: existsSync(rootfs) ? false : `run make images (${rootfs})`,
    }, async () => {
      const disk = join(dir, `${c.template}.ext4`);
      execFileSync("cp", ["--reflink=auto", "--sparse=always", rootfs, disk]);
      let h: VmHandle | undefined;
      try {
        h = await driver.boot(
          {
            id: c.template,
            kernel: join(BUILD, "kernel/vmlinuz"),
            initrd: join(BUILD, "initramfs.cpio.gz"),
            rootfs: disk,
            vcpus: 1,
            memMiB: c.memMiB,
            network: { netns: NS, tap: "tap0", mac: GUEST.mac, guestIp: GUEST.ip, gatewayIp: GUEST.gw },
            stateDir: join(dir, c.template),
          },
          {
            ready: (vm, signal) =>
              waitForEnvd(driver.dialer(vm), { timeoutMs: 90_000, signal, attemptTimeoutMs: 500 }),
          },
        );
        const client = createEnvdClient({ dialer: driver.dialer(h), user: "user" });
        const r = await client.run(c.cmd, { args: c.args });
        assert.equal(r.exitCode, 0, r.stderr.toString());
        assert.match(r.stdout.toString(), c.want);
        await client.close();
      } finally {
        if (h) await driver.stop(h);
      }
    });
  }
});
