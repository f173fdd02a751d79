import { randomUUID } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { redactKeys } from "../../auth/index.js";
import type { ApiEnv, ApiLogger } from "../deps.js";
import { setResponseHeader } from "./set-header.js";

const INCOMING_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * requestLog gives every request an id (kept from a well-formed X-Request-Id, else new), echoes it,
 * and writes one access-log line when the response is ready. Paths are logged with API keys redacted
 * (`?api_key=` on terminal URLs); headers are never logged.
 */
export function requestLog(logger: ApiLogger): MiddlewareHandler<ApiEnv> {
  return async function requestLogMiddleware(c, next) {
    const start = performance.now();
    const given = c.req.header("x-request-id");
    const id = given && INCOMING_ID.test(given) ? given : randomUUID();
    c.set("requestId", id);
    c.set("errorStyle", "wrenn");
    c.header("X-Request-Id", id);
    await next();
    setResponseHeader(c, "X-Request-Id", id);
    const url = new URL(c.req.url);
    if (url.searchParams.has("api_key")) url.searchParams.set("api_key", "[redacted]");
    const caller = c.get("caller");
    logger.info("request", {
      request_id: id,
      method: c.req.method,
      path: redactKeys(url.pathname + url.search),
      status: c.res.status,
      duration_ms: Math.round(performance.now() - start),
      team_id: caller?.teamId,
      key_id: caller?.keyId,
    });
  };
}
