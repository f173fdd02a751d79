import type { RateLimiter } from "../ratelimit/index.js";
import type { Caller, EnvdRoute, SandboxService } from "../sandboxes/types.js";

/** ApiLogger is the small structured logger the API writes its access log and failures to. */
export interface ApiLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** E2bCompatOptions fills the fields of E2B-shaped responses the SandboxView does not carry. */
export interface E2bCompatOptions {
  /** domain is returned as `domain` so the SDK builds `https://49983-<id>.<domain>` envd URLs (default null). */
  domain?: string | null;
  /** envdVersion is reported when a sandbox has none recorded yet (default "0.5.7"). */
  envdVersion?: string;
}

/** ApiLimits bounds what the API itself buffers. */
export interface ApiLimits {
  /** jsonBodyBytes caps JSON request bodies (default 1 MiB); streamed uploads are not capped here. */
  jsonBodyBytes?: number;
  /** execOutputBytes caps stdout+stderr collected for a JSON (non-streamed) exec result (default 32 MiB). */
  execOutputBytes?: number;
}

/**
 * ApiDeps is everything createApi needs, passed explicitly so tests can build the real app around an
 * in-memory SandboxService and a real key store.
 */
export interface ApiDeps {
  sandboxes: SandboxService;
  /** keys verifies a presented `wrn_`/`e2b_` key (wraps auth.verifyKey); null means unauthenticated. */
  keys: (presented: string) => Promise<Caller | null>;
  /** limiter is the per-key token bucket (Redis across replicas, in-process in single-node mode). */
  limiter: RateLimiter;
  /** dbHealthy answers whether the database responds; GET /health reports 503 when it does not. */
  dbHealthy: () => Promise<boolean>;
  logger: ApiLogger;
  e2b?: E2bCompatOptions;
  limits?: ApiLimits;
  /**
   * publicEnvdRoute resolves a sandbox's envd route without an API key, for the E2B SDK's envd calls
   * (which carry only X-Access-Token, checked by envd itself). Absent: those calls need X-API-Key too.
   */
  publicEnvdRoute?: (sandboxId: string) => Promise<EnvdRoute>;
}

/** ApiEnv types the Hono context variables the middlewares set. */
export interface ApiEnv {
  Variables: {
    requestId: string;
    caller: Caller;
    /** errorStyle "e2b" renders errors as E2B's {code, message} instead of {error: {code, message}}. */
    errorStyle: "wrenn" | "e2b";
  };
}
