import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import { checkCost, checkPolicy, type RateDecision, type RateLimiter, type RatePolicy } from "./limiter.js";

/**
 * TOKEN_BUCKET runs atomically in Redis: refill by elapsed time (Redis' own clock, so replicas with
 * skewed clocks agree), take `cost` if available, and expire the key once it would be full again.
 * KEYS[1] bucket; ARGV capacity, tokens per ms, cost. Returns {allowed, retryAfterMs, remaining}.
 */
const TOKEN_BUCKET = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or capacity
local ts = tonumber(b[2]) or now
if now > ts then tokens = math.min(capacity, tokens + (now - ts) * rate) end
local allowed = 0
local retry = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  retry = math.ceil((cost - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate) + 1000)
return {allowed, retry, math.floor(tokens)}
`;
const TOKEN_BUCKET_SHA = createHash("sha1").update(TOKEN_BUCKET).digest("hex");

/** RedisLimiterOptions: where buckets live and what to do when Redis is down. */
export interface RedisLimiterOptions {
  /** prefix namespaces the bucket keys (default "wrenn:rl:"). */
  prefix?: string;
  /**
   * onError hears Redis failures. The limiter then fails open (allows the request): an outage of the
   * rate-limit store should not take the API down with it.
   */
  onError?: (err: unknown) => void;
}

/**
 * createRedisClient makes an ioredis client tuned for request paths: commands fail fast (no offline
 * queue, 1 retry, 500 ms timeout) instead of hanging while Redis is unreachable; it reconnects itself.
 */
export function createRedisClient(url: string): Redis {
  return new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 500 });
}

/** connectRedis is createRedisClient plus waiting until it is ready, so a bad REDIS_URL fails at start. */
export async function connectRedis(url: string, timeoutMs = 5000): Promise<Redis> {
  const redis = createRedisClient(url);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`redis at ${url} not ready after ${timeoutMs} ms`)),
        timeoutMs,
      );
      redis.once("ready", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return redis;
  } catch (err) {
    redis.disconnect();
    throw err;
  }
}

/** createRedisRateLimiter shares buckets between all replicas through Redis. */
export function createRedisRateLimiter(
  redis: Redis,
  policy: RatePolicy,
  opts: RedisLimiterOptions = {},
): RateLimiter {
  checkPolicy(policy);
  const prefix = opts.prefix ?? "wrenn:rl:";
  const perMs = String(policy.refillPerSec / 1000);
  const run = async (key: string, cost: number): Promise<[number, number, number]> => {
    const args = [1, prefix + key, String(policy.capacity), perMs, String(cost)] as const;
    try {
      return (await redis.evalsha(TOKEN_BUCKET_SHA, ...args)) as [number, number, number];
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith("NOSCRIPT")) throw err;
      return (await redis.eval(TOKEN_BUCKET, ...args)) as [number, number, number];
    }
  };
  return {
    async take(key: string, cost = 1): Promise<RateDecision> {
      checkCost(policy, cost);
      try {
        const [allowed, retryAfterMs, remaining] = await run(key, cost);
        return { allowed: allowed === 1, retryAfterMs, remaining };
      } catch (err) {
        opts.onError?.(err);
        return { allowed: true, retryAfterMs: 0, remaining: 0 };
      }
    },
  };
}
