import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, parseConfig } from "./index.js";

describe("host agent config", () => {
  it("fills defaults and parses listen addresses", () => {
    const c = parseConfig({
      WRENN_AGENT_TOKEN: "0123456789abcdef",
      WRENN_AGENT_LISTEN: "[::1]:7000",
      WRENN_UPLINK: "",
    });
    assert.deepEqual(c.listen, { host: "::1", port: 7000 });
    assert.deepEqual(c.metricsListen, { host: "127.0.0.1", port: 9101 });
    assert.equal(c.stateDir, "/var/lib/wrenn");
    assert.equal(c.vmm, "qemu");
    assert.equal(c.uplink, undefined, "empty means unset");
    assert.ok(c.hostVcpus >= 1 && c.hostMemMiB >= 256);
    assert.equal(c.templateSnapshots, true);
  });

  it("names every bad variable at once", () => {
    assert.throws(
      () =>
        parseConfig({
          WRENN_AGENT_TOKEN: "short",
          WRENN_AGENT_LISTEN: "50051",
          WRENN_VMM: "kvm",
          WRENN_STATE_DIR: "relative/dir",
          WRENN_HOST_VCPUS: "two",
          WRENN_TEMPLATE_SNAPSHOTS: "maybe",
          WRENN_AGENT_METRICS_LISTEN: "127.0.0.1:70000",
        }),
      (e) => {
        assert.ok(e instanceof ConfigError);
        const fields = e.problems.map((p) => p.split(":")[0]);
        assert.deepEqual(fields.sort(), [
          "WRENN_AGENT_LISTEN",
          "WRENN_AGENT_METRICS_LISTEN",
          "WRENN_AGENT_TOKEN",
          "WRENN_HOST_VCPUS",
          "WRENN_STATE_DIR",
          "WRENN_TEMPLATE_SNAPSHOTS",
          "WRENN_VMM",
        ]);
        assert.match(e.message, /WRENN_AGENT_TOKEN: must be at least 16 characters/);
        return true;
      },
    );
    assert.throws(() => parseConfig({}), /WRENN_AGENT_TOKEN: is required/);
  });
});
