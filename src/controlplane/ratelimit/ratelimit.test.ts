import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Redis } from "ioredis";
import { freePort, type TestRedis, useTestRedis } from "../../shared/testing/index.js";
import { connectRedis, createMemoryRateLimiter, createRedisClient, createRedisRateLimiter } from "./index.js";

const POLICY = { capacity: 5, refillPerSec: 1 };

describe("in-process rate limiter", () => {
  it("allows a burst of capacity, then refuses with the time until the next token", async () => {
    let t = 1_000_000;
    const rl = createMemoryRateLimiter(POLICY, { now: () => t });
    for (let i = 4; i >= 0; i--)
      assert.deepEqual(await rl.take("k"), { allowed: true, retryAfterMs: 0, remaining: i });
    assert.deepEqual(await rl.take("k"), { allowed: false, retryAfterMs: 1000, remaining: 0 });
    t += 400;
    assert.equal((await rl.take("k")).retryAfterMs, 600);
    t += 600;
    assert.equal((await rl.take("k")).allowed, true);
    assert.equal((await rl.take("other")).remaining, 4, "keys have their own buckets");
  });

  it("charges costs, refills to capacity at most, and rejects impossible costs", async () => {
    let t = 0;
    const rl = createMemoryRateLimiter(POLICY, { now: () => t });
    assert.equal((await rl.take("k", 3)).remaining, 2);
    assert.deepEqual(await rl.take("k", 3), { allowed: false, retryAfterMs: 1000, remaining: 2 });
    t += 3_600_000;
    assert.equal((await rl.take("k")).remaining, 4, "an idle hour refills to capacity, not beyond");
    await assert.rejects(rl.take("k", 6), RangeError);
    assert.throws(() => createMemoryRateLimiter({ capacity: 0, refillPerSec: 1 }), RangeError);
  });

  it("forgets the least recently used keys beyond maxKeys", async () => {
    const t = 0;
    const rl = createMemoryRateLimiter({ capacity: 1, refillPerSec: 0.001 }, { now: () => t, maxKeys: 2 });
    await rl.take("a");
    await rl.take("b");
    await rl.take("a");
    await rl.take("c");
    assert.equal((await rl.take("b")).allowed, true, "b was evicted, so it starts full");
    assert.equal((await rl.take("c")).allowed, false);
  });
});

describe("Redis rate limiter", () => {
  let redis: TestRedis;
  let a: Redis;
  let b: Redis;

  before(async () => {
    redis = await useTestRedis();
    [a, b] = await Promise.all([connectRedis(redis.url), connectRedis(redis.url)]);
  });
  after(async () => {
    a?.disconnect();
    b?.disconnect();
    await redis?.close();
  });

  it("allows a burst of capacity, then refuses with retryAfter, then refills", async () => {
    const rl = createRedisRateLimiter(a, POLICY, { prefix: redis.prefix });
    for (let i = 4; i >= 0; i--)
      assert.deepEqual(await rl.take("k1"), { allowed: true, retryAfterMs: 0, remaining: i });
    const refused = await rl.take("k1");
    assert.equal(refused.allowed, false);
    assert.ok(refused.retryAfterMs > 0 && refused.retryAfterMs <= 1000, `${refused.retryAfterMs}`);
    assert.equal((await rl.take("k2")).allowed, true, "keys have their own buckets");
    await new Promise((r) => setTimeout(r, refused.retryAfterMs + 20));
    assert.equal((await rl.take("k1")).allowed, true);
    const ttl = await a.pttl(`${redis.prefix}k1`);
    assert.ok(ttl > 0 && ttl <= 6000, `bucket expires once full again (pttl ${ttl})`);
  });

  it("is atomic across clients: 30 racing requests get exactly capacity", async () => {
    const ra = createRedisRateLimiter(a, POLICY, { prefix: redis.prefix });
    const rb = createRedisRateLimiter(b, POLICY, { prefix: redis.prefix });
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? ra : rb).take("race")));
    assert.equal(results.filter((r) => r.allowed).length, 5);
  });

  it("reloads its script after SCRIPT FLUSH", async () => {
    const rl = createRedisRateLimiter(a, POLICY, { prefix: redis.prefix });
    await rl.take("flush");
    await a.script("FLUSH");
    assert.equal((await rl.take("flush")).remaining, 3);
  });

  it("fails open and reports when Redis is unreachable", async () => {
    const dead = createRedisClient(`redis://127.0.0.1:${await freePort()}`);
    dead.on("error", () => {});
    const errors: unknown[] = [];
    try {
      const rl = createRedisRateLimiter(dead, POLICY, { onError: (e) => errors.push(e) });
      assert.equal((await rl.take("x")).allowed, true);
      assert.equal(errors.length, 1);
    } finally {
      dead.disconnect();
    }
  });
});
