import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, parseConfig } from "./index.js";

describe("control plane config", () => {
  it("has defaults for single-node mode", () => {
    const c = parseConfig({});
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.redisUrl, undefined);
    assert.deepEqual(c.listen, { host: "127.0.0.1", port: 8000 });
    assert.deepEqual(c.agents, []);
    assert.equal(c.scheduler, "least-loaded");
  });

  it("parses agents, URLs and numbers", () => {
    const c = parseConfig({
      DATABASE_URL: "postgres://u@127.0.0.1:5432/w",
      REDIS_URL: "redis://127.0.0.1:6379",
      WRENN_LISTEN: "[::1]:9000",
      WRENN_AGENTS: "127.0.0.1:50051, http://10.0.0.5:50051",
      WRENN_AGENT_TOKEN: "0123456789abcdef",
      WRENN_SCHEDULER: "single",
      WRENN_RATE_LIMIT_PER_SEC: "2.5",
    });
    assert.deepEqual(c.agents, ["127.0.0.1:50051", "10.0.0.5:50051"]);
    assert.deepEqual(c.listen, { host: "::1", port: 9000 });
    assert.equal(c.scheduler, "single");
    assert.equal(c.rateLimit.perSec, 2.5);
  });

  it("names every bad variable", () => {
    const err = (() => {
      try {
        parseConfig({ DATABASE_URL: "mysql://x", WRENN_SCHEDULER: "random", WRENN_API_KEY: "nope" });
      } catch (e) {
        return e;
      }
    })();
    assert.ok(err instanceof ConfigError);
    assert.deepEqual(
      err.problems.map((p) => p.split(":")[0]),
      ["DATABASE_URL", "WRENN_SCHEDULER", "WRENN_API_KEY"],
    );
  });

  it("needs the agent token when agents are listed", () => {
    assert.throws(() => parseConfig({ WRENN_AGENTS: "127.0.0.1:50051" }), /WRENN_AGENT_TOKEN/);
  });
});
