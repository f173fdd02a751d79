// Unit tests of the lifecycle pieces that need no VM: capacity, per-sandbox locking, the event
// bus and the error funnel. The manager itself runs against real QEMU VMs in tests/e2e.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { FsError } from "../filesystem/index.js";
import { NetworkError } from "../network/index.js";
import { VmError } from "../vm/index.js";
import { checkCapacity, usage } from "./capacity.js";
import { SandboxError } from "./errors.js";
import { EventBus } from "./events.js";
import { KeyedLock } from "./locks.js";
import { toSandboxError } from "./map-error.js";
import type { Sandbox } from "./sandbox.js";
import type { SandboxEvent } from "./types.js";

const sandbox = (id: string, state: Sandbox["state"], vcpus = 1, memMiB = 256): Sandbox => ({
  id,
  template: "minimal",
  state,
  vcpus,
  memMiB,
  diskMiB: 256,
  metadata: {},
  egress: { allowCidrs: [], denyCidrs: [], blockAll: false },
  createdAt: new Date(),
  startedAt: new Date(),
  startMethod: "boot",
  envdVersion: "",
  oomKills: 0,
});

describe("capacity", () => {
  const cap = { vcpus: 4, memMiB: 1024 };
  const table = [sandbox("a", "running", 2), sandbox("b", "paused", 2), sandbox("c", "starting", 1, 512)];

  it("counts vCPUs and memory of active sandboxes, disk of all", () => {
    assert.deepEqual(usage(table), { vcpus: 3, memMiB: 768, diskMiB: 768 });
    assert.deepEqual(usage(table, "a"), { vcpus: 1, memMiB: 512, diskMiB: 512 });
  });

  it("names the resource that does not fit", () => {
    checkCapacity(cap, table, { vcpus: 1, memMiB: 256 }, "create x");
    assert.throws(
      () => checkCapacity(cap, table, { vcpus: 2, memMiB: 128 }, "create x"),
      (e) =>
        e instanceof SandboxError &&
        e.code === "capacity" &&
        /vCPUs on this host: asked 2, 1 of 4 free/.test(e.message),
    );
    assert.throws(
      () => checkCapacity(cap, table, { vcpus: 1, memMiB: 512 }, "create x"),
      (e) => e instanceof SandboxError && /memory.*256 MiB of 1024 MiB free/.test(e.message),
    );
    checkCapacity(cap, table, { vcpus: 2, memMiB: 768 }, "resume c", "c");
  });
});

describe("KeyedLock", () => {
  it("serialises one key, runs keys in parallel and names the holder", async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    const slow = lock.run("a", "create", async () => {
      await sleep(30);
      order.push("a1");
    });
    const next = lock.run("a", "destroy", async () => {
      order.push("a2");
    });
    const other = lock.run("b", "pause", async () => {
      order.push("b");
    });
    await sleep(5);
    assert.equal(lock.holder("a"), "create");
    await Promise.all([slow, next, other]);
    assert.deepEqual(order, ["b", "a1", "a2"]);
    assert.equal(lock.holder("a"), undefined);
    await assert.rejects(
      lock.run("a", "x", async () => {
        throw new Error("boom");
      }),
    );
    assert.equal(await lock.run("a", "y", async () => 7), 7, "a failure does not block the key");
    await lock.idle();
  });
});

describe("EventBus", () => {
  it("delivers to each subscriber until its signal aborts", async () => {
    const bus = new EventBus();
    const ac = new AbortController();
    const got: SandboxEvent[] = [];
    const done = (async () => {
      for await (const e of bus.subscribe(ac.signal)) got.push(e);
    })();
    await sleep(5);
    bus.publish({ sandboxId: "sb-1", at: new Date(), kind: "oom" });
    bus.publish({ sandboxId: "sb-1", at: new Date(), kind: "exited", reason: "gone" });
    await sleep(5);
    ac.abort();
    await done;
    assert.deepEqual(
      got.map((e) => e.kind),
      ["oom", "exited"],
    );
    bus.close();
  });
});

describe("toSandboxError", () => {
  it("maps each module's codes once and keeps the cause", () => {
    const cases: Array<[unknown, string]> = [
      [new FsError("template_not_found", "template x is not built (make images)"), "not_found"],
      [new FsError("disk_full", "disk full"), "capacity"],
      [new NetworkError("invalid_cidr", "bad CIDR 1.2.3"), "invalid_argument"],
      [new NetworkError("exhausted", "no /30 left"), "capacity"],
      [new VmError("timeout", "slow"), "unavailable"],
      [new Error("what"), "internal"],
    ];
    for (const [err, code] of cases) {
      const e = toSandboxError(err, "create sb-1");
      assert.equal(e.code, code);
      assert.equal(e.cause, err);
      assert.match(e.message, /^create sb-1: /);
    }
  });

  it("adds the guest console tail to a boot failure", () => {
    const detail =
      "--- /x/qemu.log ---\n\n--- /x/serial.log (last 40 lines) ---\nKernel panic - not syncing\nend trace\n";
    const e = toSandboxError(
      new VmError("boot_failed", "VM sb-1 readiness: exited", { detail }),
      "create sb-1",
    );
    assert.equal(e.code, "internal");
    assert.match(e.message, /console: Kernel panic - not syncing \| end trace$/);
  });
});
