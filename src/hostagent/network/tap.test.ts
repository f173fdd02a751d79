import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { createTap, deleteTap, NetworkError, validateTap } from "./index.js";

describe("TAP in a test-owned netns", () => {
  const ns = `wrn-tap-${process.pid}`;
  before(() => execFileSync("ip", ["netns", "add", ns]));
  after(() => execFileSync("ip", ["netns", "del", ns]));

  it("creates an addressed TAP with a permanent neighbour, then deletes it", async () => {
    const t = {
      netns: ns,
      name: "tap0",
      hostIp: "10.0.0.1",
      guestIp: "10.0.0.2",
      guestMac: "52:54:00:00:00:02",
    };
    await createTap(t);
    const link = execFileSync("ip", ["-n", ns, "-o", "addr", "show", "dev", "tap0"]).toString();
    assert.match(link, /inet 10\.0\.0\.1\/30/);
    const neigh = execFileSync("ip", ["-n", ns, "neigh", "show", "dev", "tap0"]).toString();
    assert.match(neigh, /10\.0\.0\.2 lladdr 52:54:00:00:00:02 PERMANENT/);
    await assert.rejects(createTap(t), (e) => e instanceof NetworkError && e.code === "command_failed");
    await deleteTap(t);
    await deleteTap(t); // idempotent
    assert.doesNotMatch(execFileSync("ip", ["-n", ns, "-o", "link"]).toString(), /tap0/);
  });

  it("rejects malformed names and addresses before running ip", () => {
    const base = { netns: ns, name: "tap0" };
    for (const bad of [
      { ...base, name: "tap 0" },
      { ...base, name: "a-very-long-interface" },
      { ...base, hostIp: "10.0.0.300" },
      { ...base, guestIp: "10.0.0.2" },
      { ...base, guestIp: "10.0.0.2", guestMac: "zz:54:00:00:00:02" },
    ]) {
      assert.throws(
        () => validateTap(bad),
        (e) => e instanceof NetworkError && e.code === "invalid_config",
      );
    }
  });
});
