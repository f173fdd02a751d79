import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { VmHandle } from "./driver.js";
import { isAlive, spawnDetached, stopVmm, tailFile, waitExit } from "./proc.js";
import { readState, removeState, writeState } from "./state.js";

describe("VMM process helpers", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "vmproc-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("spawns detached with output in a log, tracks identity and escalates to SIGKILL", async () => {
    const log = join(dir, "out.log");
    // Ignores SIGTERM, so stopVmm must fall through to SIGKILL.
    const p = await spawnDetached(
      ["sh", "-c", "trap '' TERM; echo started; while :; do sleep 0.05; done"],
      log,
    );
    assert.ok(await isAlive(p.pid, p.pidStart));
    assert.equal(
      await isAlive(p.pid, p.pidStart + 1),
      false,
      "a different start time is a different process",
    );
    assert.equal(await waitExit(p.pid, p.pidStart, 100), false);
    await stopVmm(p.pid, p.pidStart, 0);
    assert.equal(await isAlive(p.pid, p.pidStart), false);
    assert.match(await tailFile(log), /started/);
  });

  it("tails only the last lines of a log", async () => {
    const f = join(dir, "serial.log");
    await writeFile(f, `${Array.from({ length: 100 }, (_, i) => `line ${i}`).join("\n")}\n`);
    const t = await tailFile(f, 3);
    assert.equal(t, "line 97\nline 98\nline 99");
    assert.equal(await tailFile(join(dir, "missing")), "");
  });

  it("round-trips the state file and ignores other backends' files", async () => {
    const handle = { kind: "qemu", id: "x", pid: 1, pidStart: 2, serialLog: "/s" } as unknown as VmHandle;
    await writeState(dir, { version: 1, handle, backend: { qmp: "/q" }, startedAt: "now" });
    assert.equal((await readState(dir, "qemu"))?.backend.qmp, "/q");
    assert.equal(await readState(dir, "firecracker"), null);
    await removeState(dir);
    assert.equal(await readState(dir, "qemu"), null);
  });
});
