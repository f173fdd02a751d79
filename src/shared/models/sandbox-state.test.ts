import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canTransition, isSandboxState, SANDBOX_STATES, sourcesOf, TRANSITIONS } from "./index.js";

describe("sandbox state machine", () => {
  it("follows pending → starting → running ⇄ paused → hibernated → starting", () => {
    const path = [
      ["pending", "starting"],
      ["starting", "running"],
      ["running", "paused"],
      ["paused", "running"],
      ["paused", "hibernated"],
      ["hibernated", "starting"],
    ] as const;
    for (const [from, to] of path) assert.ok(canTransition(from, to), `${from} → ${to}`);
  });

  it("lets every live state be stopped or fail, and nothing leaves stopped", () => {
    for (const s of SANDBOX_STATES) {
      if (s === "stopped") continue;
      assert.ok(canTransition(s, "stopped"), `${s} → stopped`);
      if (s !== "error") assert.ok(canTransition(s, "error"), `${s} → error`);
    }
    assert.deepEqual(TRANSITIONS.stopped, []);
    assert.ok(!canTransition("running", "running"));
    assert.ok(!canTransition("hibernated", "running"), "a hibernated VM must be restored (starting) first");
  });

  it("sourcesOf inverts the table", () => {
    assert.deepEqual(sourcesOf("paused"), ["running"]);
    assert.deepEqual(sourcesOf("running"), ["starting", "paused"]);
    assert.deepEqual(sourcesOf("pending"), []);
  });

  it("isSandboxState accepts only the seven states", () => {
    assert.ok(isSandboxState("hibernated"));
    assert.ok(!isSandboxState("deleted"));
  });
});
