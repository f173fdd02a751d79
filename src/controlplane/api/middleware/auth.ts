import type { Context, MiddlewareHandler } from "hono";
import { ApiError } from "../../errors.js";
import type { Caller } from "../../sandboxes/types.js";
import type { ApiEnv } from "../deps.js";

/** AuthOptions configures requireKey. */
export interface AuthOptions {
  /** verify resolves a presented key to its caller, or null when unknown, malformed or revoked. */
  verify: (presented: string) => Promise<Caller | null>;
  /** allowQueryKey also accepts `?api_key=` on matching paths (browsers cannot set WebSocket headers). */
  allowQueryKey?: (path: string) => boolean;
}

/** presentedKey reads the key from X-API-Key, or from ?api_key= when allowed. */
export function presentedKey(c: Context, allowQueryKey: boolean): string | undefined {
  return c.req.header("x-api-key") ?? (allowQueryKey ? c.req.query("api_key") : undefined);
}

/** authenticate verifies a key, turning a failing key store into 503 rather than a false 401. */
export async function authenticate(verify: AuthOptions["verify"], key: string | undefined): Promise<Caller> {
  if (!key) throw new ApiError("unauthenticated", "missing API key: send the X-API-Key header");
  let caller: Caller | null;
  try {
    caller = await verify(key);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError("unavailable", "cannot verify the API key right now", { cause: err, retryAfterS: 1 });
  }
  if (!caller) throw new ApiError("unauthenticated", "invalid or revoked API key");
  return caller;
}

/** requireKey is the auth middleware: 401 on a missing or bad key, else sets `caller`. */
export function requireKey(opts: AuthOptions): MiddlewareHandler<ApiEnv> {
  if (typeof opts.verify !== "function") throw new TypeError("requireKey: verify is required");
  const allowQuery = opts.allowQueryKey ?? (() => false);
  return async function requireKeyMiddleware(c, next) {
    c.set("caller", await authenticate(opts.verify, presentedKey(c, allowQuery(c.req.path))));
    await next();
  };
}
