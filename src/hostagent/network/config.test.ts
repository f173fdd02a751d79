import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveConfig } from "./config.js";
import { NetworkError } from "./errors.js";

describe("resolveConfig", () => {
  it("fills in defaults", () => {
    const c = resolveConfig({ stateDir: "/tmp/x" });
    assert.equal(c.baseCidr, "10.0.0.0/16");
    assert.equal(c.prefix, "wrn");
    assert.equal(c.vethPrefix, "veth-");
    assert.equal(c.poolSize, 2);
    assert.equal(c.hostNetns, undefined);
  });

  it("rejects bad fields at start-up", () => {
    const bad: Parameters<typeof resolveConfig>[0][] = [
      { stateDir: "" },
      { stateDir: "/x", prefix: "Bad Prefix" },
      { stateDir: "/x", vethPrefix: "toolong-" },
      { stateDir: "/x", uplink: "eth0; rm" },
      { stateDir: "/x", hostNetns: "a/b" },
      { stateDir: "/x", baseCidr: "10.0.0.0/31" },
      { stateDir: "/x", baseCidr: "169.254.0.0/16" },
      { stateDir: "/x", poolSize: -1 },
    ];
    for (const c of bad) {
      assert.throws(
        () => resolveConfig(c),
        (e) => e instanceof NetworkError && e.code === "invalid_config",
        JSON.stringify(c),
      );
    }
    assert.throws(
      () => resolveConfig({ stateDir: "/x", baseCidr: "10.0.0.0/99" }),
      (e) => e instanceof NetworkError && e.code === "invalid_cidr",
    );
  });
});
