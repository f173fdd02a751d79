import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isSandboxId, newHostId, newKeyId, newSandboxId, newTeamId, randomHex } from "./index.js";

describe("ids", () => {
  it("formats each kind of id", () => {
    assert.match(newSandboxId(), /^sb-[0-9a-f]{8}$/);
    assert.match(newTeamId(), /^tm-[0-9a-f]{16}$/);
    assert.match(newKeyId(), /^key-[0-9a-f]{16}$/);
    assert.match(newHostId(), /^host-[0-9a-f]{8}$/);
    assert.match(randomHex(3), /^[0-9a-f]{6}$/);
  });

  it("draws sandbox ids at random (no repeats in 10 000)", () => {
    const ids = new Set(Array.from({ length: 10_000 }, newSandboxId));
    assert.ok(ids.size >= 9_990, `${ids.size}`);
  });

  it("checks sandbox ids strictly", () => {
    assert.ok(isSandboxId(newSandboxId()));
    for (const bad of ["sb-1234567", "sb-123456789", "SB-12345678", "sb-1234567g", "../sb-12345678"]) {
      assert.ok(!isSandboxId(bad), bad);
    }
  });
});
