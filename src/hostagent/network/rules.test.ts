import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { normalizeEgress } from "./egress.js";
import { hostRuleset, sandboxRuleset } from "./rules.js";

describe("host ruleset", () => {
  it("replaces the table atomically and has no per-slot parts without slots", () => {
    const r = hostRuleset({ baseCidr: "10.0.0.0/16", uplink: "eth0", slots: [] });
    assert.match(r, /^table inet wrenn\ndelete table inet wrenn\ntable inet wrenn \{/);
    assert.doesNotMatch(r, /elements|vmap|egress_/);
    assert.match(r, /ip saddr 10\.0\.0\.0\/16 oifname "eth0" masquerade/);
  });

  it("isolates sandboxes and renders each slot's egress chain", () => {
    const r = hostRuleset({
      baseCidr: "10.0.0.0/16",
      uplink: undefined,
      slots: [
        { id: "0000000a", vethHost: "veth-0000000a", egress: normalizeEgress({ blockAll: true }) },
        {
          id: "0000000b",
          vethHost: "veth-0000000b",
          egress: normalizeEgress({ allowCidrs: ["1.1.1.0/24"], denyCidrs: ["1.1.1.1"] }),
        },
      ],
    });
    assert.match(r, /elements = \{ "veth-0000000a", "veth-0000000b" \}/);
    assert.match(r, /iifname @sandboxes oifname @sandboxes drop/);
    assert.match(r, /iifname @sandboxes ct state established,related accept\n\s+iifname @sandboxes drop/);
    assert.match(r, /"veth-0000000a" : jump egress_0000000a, "veth-0000000b" : jump egress_0000000b/);
    assert.match(r, /chain egress_0000000a \{\n\s+drop\n/);
    assert.match(
      r,
      /chain egress_0000000b \{\n\s+ip daddr 1\.1\.1\.1\/32 drop\n\s+ip daddr 1\.1\.1\.0\/24 return\n\s+drop\n/,
    );
    assert.match(r, /oifname != @sandboxes masquerade/);
  });
});

describe("sandbox ruleset", () => {
  it("maps the sandbox address to the fixed guest IP both ways", () => {
    const r = sandboxRuleset("10.0.0.6");
    assert.match(r, /iifname "eth0" ip daddr 10\.0\.0\.6 dnat to 169\.254\.0\.21/);
    assert.match(r, /oifname "eth0" ip saddr 169\.254\.0\.21 snat to 10\.0\.0\.6/);
    assert.match(r, /iifname "tap0" drop/);
  });
});
