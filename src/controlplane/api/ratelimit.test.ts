import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Redis } from "ioredis";
import { type TestRedis, useTestRedis } from "../../shared/testing/index.js";
import { connectRedis, createMemoryRateLimiter, createRedisRateLimiter } from "../ratelimit/index.js";
import { type ApiHarness, useApiHarness } from "./testing/harness.js";

describe("per-key rate limiting", () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  /** burst sends n GETs with the key and returns the statuses. */
  const burst = async (h: ApiHarness, key: string, n: number) => {
    const out: Response[] = [];
    for (let i = 0; i < n; i++)
      out.push(await h.call("GET", "/v1/sandboxes", undefined, { "X-API-Key": key }));
    return out;
  };

  it("answers 429 with Retry-After once a key's bucket is empty (in-process limiter)", async () => {
    const h = await useApiHarness({ limiter: createMemoryRateLimiter({ capacity: 3, refillPerSec: 0.5 }) });
    cleanups.push(() => h.close());
    const rs = await burst(h, h.keyA, 4);
    assert.deepEqual(
      rs.map((r) => r.status),
      [200, 200, 200, 429],
    );
    const last = rs[3] as Response;
    assert.equal(last.headers.get("retry-after"), "2");
    assert.deepEqual(await last.json(), {
      error: { code: "rate_limited", message: "rate limit exceeded for this API key" },
    });
    const b1 = (await burst(h, h.keyB, 1))[0];
    assert.deepEqual(
      [b1?.status, b1?.headers.get("x-ratelimit-remaining")],
      [200, "2"],
      "own bucket per key",
    );
    const b2 = await h.call("GET", "/v2/sandboxes", undefined, { "X-API-Key": h.keyB });
    assert.equal(b2.headers.get("x-ratelimit-remaining"), "1", "one request costs one token, E2B routes too");
    const e2b = await h.call("GET", "/v2/sandboxes");
    assert.deepEqual([e2b.status, ((await e2b.json()) as { code: number }).code], [429, 429]);
  });

  it("shares buckets through Redis", async () => {
    let redis: TestRedis | undefined;
    let client: Redis | undefined;
    try {
      redis = await useTestRedis();
      client = await connectRedis(redis.url);
    } catch (err) {
      await redis?.close();
      throw err;
    }
    const r = redis;
    const cl = client;
    cleanups.push(async () => {
      cl.disconnect();
      await r.close();
    });
    const limiter = createRedisRateLimiter(cl, { capacity: 2, refillPerSec: 0.1 }, { prefix: r.prefix });
    const h = await useApiHarness({ limiter });
    cleanups.push(() => h.close());
    const rs = await burst(h, h.keyA, 3);
    assert.deepEqual(
      rs.map((x) => x.status),
      [200, 200, 429],
    );
    assert.equal(rs[2]?.headers.get("retry-after"), "10");
    assert.ok((await cl.keys(`${r.prefix}*`)).length > 0, "the bucket lives in Redis");
  });
});
