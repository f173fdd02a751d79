import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cidrsOverlap, formatCidr, parseCidr } from "./cidr.js";
import { normalizeEgress } from "./egress.js";
import { NetworkError } from "./errors.js";

const isInvalidCidr = (e: unknown) => e instanceof NetworkError && e.code === "invalid_cidr";

describe("parseCidr", () => {
  it("parses and canonicalises IPv4 CIDRs", () => {
    const cases: [string, string][] = [
      ["10.0.0.0/16", "10.0.0.0/16"],
      ["10.1.2.3/8", "10.0.0.0/8"],
      ["1.2.3.4", "1.2.3.4/32"],
      [" 192.0.2.9/30 ", "192.0.2.8/30"],
      ["0.0.0.0/0", "0.0.0.0/0"],
      ["255.255.255.255/32", "255.255.255.255/32"],
    ];
    for (const [input, want] of cases) assert.equal(formatCidr(parseCidr(input)), want, input);
  });

  it("rejects anything else as invalid_cidr", () => {
    for (const bad of [
      "",
      "10.0.0.0/33",
      "10.0.0/8",
      "256.0.0.0/8",
      "10.0.0.0/",
      "10.0.0.0/8/8",
      "a.b.c.d",
      "::1/128",
      "010.0.0.0/8",
      "10.0.0.0/-1",
    ]) {
      assert.throws(() => parseCidr(bad), isInvalidCidr, bad);
    }
  });

  it("detects overlap", () => {
    assert.ok(cidrsOverlap(parseCidr("10.0.0.0/16"), parseCidr("10.0.5.0/24")));
    assert.ok(!cidrsOverlap(parseCidr("10.0.0.0/16"), parseCidr("10.1.0.0/16")));
  });
});

describe("normalizeEgress", () => {
  it("canonicalises and de-duplicates", () => {
    assert.deepEqual(normalizeEgress({ allowCidrs: ["1.2.3.4", "1.2.3.4/32"], denyCidrs: ["10.9.9.9/8"] }), {
      allowCidrs: ["1.2.3.4/32"],
      denyCidrs: ["10.0.0.0/8"],
      blockAll: false,
    });
    assert.deepEqual(normalizeEgress(undefined), { allowCidrs: [], denyCidrs: [], blockAll: false });
  });

  it("rejects bad lists", () => {
    assert.throws(() => normalizeEgress({ denyCidrs: ["nope"] }), isInvalidCidr);
    assert.throws(() => normalizeEgress({ allowCidrs: "1.2.3.4/32" as unknown as string[] }), isInvalidCidr);
    assert.throws(() => normalizeEgress({ allowCidrs: Array(257).fill("1.1.1.1") }), isInvalidCidr);
  });
});
