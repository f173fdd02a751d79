import { checkCost, checkPolicy, type RateDecision, type RateLimiter, type RatePolicy } from "./limiter.js";

/** MemoryLimiterOptions: a clock for tests and a bound on how many keys are remembered. */
export interface MemoryLimiterOptions {
  now?: () => number;
  /** maxKeys bounds memory; least recently used buckets are forgotten first (default 10 000). */
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  ts: number;
}

/**
 * createMemoryRateLimiter keeps token buckets in this process: right for single-node mode, wrong for
 * several replicas (each would allow the full rate). The Map's insertion order doubles as an LRU.
 */
export function createMemoryRateLimiter(policy: RatePolicy, opts: MemoryLimiterOptions = {}): RateLimiter {
  checkPolicy(policy);
  const now = opts.now ?? Date.now;
  const maxKeys = opts.maxKeys ?? 10_000;
  const perMs = policy.refillPerSec / 1000;
  const buckets = new Map<string, Bucket>();
  return {
    async take(key: string, cost = 1): Promise<RateDecision> {
      checkCost(policy, cost);
      const t = now();
      const b = buckets.get(key) ?? { tokens: policy.capacity, ts: t };
      const tokens = Math.min(policy.capacity, b.tokens + Math.max(0, t - b.ts) * perMs);
      buckets.delete(key);
      const allowed = tokens >= cost;
      const left = allowed ? tokens - cost : tokens;
      buckets.set(key, { tokens: left, ts: t });
      if (buckets.size > maxKeys) {
        const oldest = buckets.keys().next().value;
        if (oldest !== undefined) buckets.delete(oldest);
      }
      return {
        allowed,
        retryAfterMs: allowed ? 0 : Math.ceil((cost - tokens) / perMs),
        remaining: Math.floor(left),
      };
    },
  };
}
