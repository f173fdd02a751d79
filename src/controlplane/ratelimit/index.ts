// ratelimit is the door to per-key rate limiting: one token-bucket interface, a Redis backend shared by
// all replicas (atomic Lua script) and an in-process backend for single-node mode.
export type { RateDecision, RateLimiter, RatePolicy } from "./limiter.js";
export { createMemoryRateLimiter, type MemoryLimiterOptions } from "./memory.js";
export {
  connectRedis,
  createRedisClient,
  createRedisRateLimiter,
  type RedisLimiterOptions,
} from "./redis.js";
