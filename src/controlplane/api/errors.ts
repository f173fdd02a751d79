import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { API_STATUS, ApiError, type ApiErrorCode } from "../errors.js";
import type { ApiEnv, ApiLogger } from "./deps.js";

/** STATUS_CODE maps the HTTP statuses Hono itself raises back to our closed code set. */
const STATUS_CODE: Record<number, ApiErrorCode> = {
  400: "bad_request",
  401: "unauthenticated",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  413: "payload_too_large",
  429: "rate_limited",
  503: "unavailable",
};

/**
 * toApiError is the one funnel for caught values: ApiErrors pass through, Hono's HTTPExceptions keep
 * their status, and anything else becomes `internal` with the original kept as cause (logged, never sent).
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof HTTPException) {
    const code = STATUS_CODE[err.status] ?? "internal";
    return new ApiError(code, code === "internal" ? "internal error" : err.message || code, { cause: err });
  }
  return new ApiError("internal", "internal error", { cause: err });
}

/** statusOf is the HTTP status of an ApiError. */
export function statusOf(err: ApiError): ContentfulStatusCode {
  return API_STATUS[err.code] as ContentfulStatusCode;
}

/** errorBody is the Wrenn error JSON: `{ "error": { "code", "message" } }`. */
export function errorBody(err: ApiError): { error: { code: ApiErrorCode; message: string } } {
  return { error: { code: err.code, message: err.message } };
}

/** e2bErrorBody is E2B's error JSON `{code: <http status>, message}`, which its SDKs parse. */
export function e2bErrorBody(err: ApiError): { code: number; message: string } {
  return { code: API_STATUS[err.code], message: err.message };
}

/** renderError writes an ApiError in the request's error style, with Retry-After when known. */
export function renderError(c: Context<ApiEnv>, err: ApiError): Response {
  if (err.retryAfterS !== undefined) c.header("Retry-After", String(Math.max(1, Math.ceil(err.retryAfterS))));
  const body = c.get("errorStyle") === "e2b" ? e2bErrorBody(err) : errorBody(err);
  return c.json(body, statusOf(err));
}

/** createErrorHandler is the app's single onError: funnel, log server-side failures with cause, render. */
export function createErrorHandler(logger: ApiLogger) {
  return function onApiError(err: Error, c: Context<ApiEnv>): Response {
    const apiErr = toApiError(err);
    if (apiErr.code === "internal" || apiErr.code === "unavailable") {
      const cause = apiErr.cause ?? err;
      logger.error("request failed", {
        request_id: c.get("requestId"),
        code: apiErr.code,
        message: apiErr.message,
        cause: cause instanceof Error ? (cause.stack ?? cause.message) : String(cause),
      });
    }
    return renderError(c, apiErr);
  };
}
