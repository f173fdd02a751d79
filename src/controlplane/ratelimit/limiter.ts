/** RateDecision is the answer to one request: go ahead, or come back after retryAfterMs. */
export interface RateDecision {
  allowed: boolean;
  /** retryAfterMs is when enough tokens will be back (0 when allowed); feeds Retry-After. */
  retryAfterMs: number;
  /** remaining is how many whole tokens are left after this request. */
  remaining: number;
}

/**
 * RateLimiter is a token bucket per key (an API key id): `capacity` requests in a burst, refilled at
 * `refillPerSec`. Both backends (Redis for replicas, memory for single-node mode) behave alike.
 */
export interface RateLimiter {
  take(key: string, cost?: number): Promise<RateDecision>;
}

/** RatePolicy sizes the bucket. */
export interface RatePolicy {
  /** capacity is the burst size: how many requests a full bucket allows back to back. */
  capacity: number;
  /** refillPerSec is the sustained rate. */
  refillPerSec: number;
}

/** checkPolicy rejects nonsense at construction rather than at the first request. */
export function checkPolicy(p: RatePolicy): void {
  if (!(p.capacity >= 1) || !Number.isFinite(p.capacity))
    throw new RangeError("rate limit capacity must be ≥ 1");
  if (!(p.refillPerSec > 0) || !Number.isFinite(p.refillPerSec)) {
    throw new RangeError("rate limit refillPerSec must be > 0");
  }
}

/** checkCost rejects a cost no bucket could ever satisfy (it would be refused forever). */
export function checkCost(p: RatePolicy, cost: number): void {
  if (!(cost > 0) || cost > p.capacity) throw new RangeError(`rate limit cost must be in (0, ${p.capacity}]`);
}
