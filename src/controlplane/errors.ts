/** ApiErrorCode is the closed set of errors the REST API returns; each maps to one HTTP status. */
export type ApiErrorCode =
  | "bad_request" // 400: schema or parameter error (message names the field path)
  | "unauthenticated" // 401: missing, malformed, unknown or revoked API key
  | "forbidden" // 403: the key lacks a scope
  | "not_found" // 404: unknown id, or another team's sandbox
  | "conflict" // 409: wrong state (pause of a paused sandbox), duplicate
  | "payload_too_large" // 413
  | "rate_limited" // 429: with Retry-After
  | "unavailable" // 503: database or host agent unreachable
  | "no_capacity" // 503: no healthy host can fit the sandbox (message says why)
  | "internal"; // 500

/** API_STATUS maps every code to its HTTP status. */
export const API_STATUS: Record<ApiErrorCode, number> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  no_capacity: 503,
  internal: 500,
};

/** ApiError is what services throw for the API to render as {"error": {"code", "message"}}. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterS?: number },
  ) {
    super(message, options);
    this.retryAfterS = options?.retryAfterS;
  }
  readonly retryAfterS: number | undefined;
}
