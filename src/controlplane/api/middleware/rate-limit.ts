import type { MiddlewareHandler } from "hono";
import { ApiError } from "../../errors.js";
import type { RateLimiter } from "../../ratelimit/index.js";
import type { ApiEnv } from "../deps.js";
import { setResponseHeader } from "./set-header.js";

/**
 * rateLimit charges one token per request to the caller's API key (run it after requireKey) and
 * answers 429 with Retry-After (whole seconds, at least 1) when the bucket is empty.
 */
export function rateLimit(limiter: RateLimiter): MiddlewareHandler<ApiEnv> {
  if (typeof limiter?.take !== "function") throw new TypeError("rateLimit: a RateLimiter is required");
  return async function rateLimitMiddleware(c, next) {
    const caller = c.get("caller");
    if (!caller) throw new Error("rateLimit must run after requireKey");
    const d = await limiter.take(caller.keyId);
    c.header("X-RateLimit-Remaining", String(d.remaining));
    if (!d.allowed) {
      throw new ApiError("rate_limited", "rate limit exceeded for this API key", {
        retryAfterS: Math.max(1, Math.ceil(d.retryAfterMs / 1000)),
      });
    }
    await next();
    setResponseHeader(c, "X-RateLimit-Remaining", String(d.remaining));
  };
}
