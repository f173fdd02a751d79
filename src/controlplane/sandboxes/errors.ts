import { Code, ConnectError } from "@connectrpc/connect";
import { DbError } from "../../shared/db/index.js";
import { ApiError, type ApiErrorCode } from "../errors.js";

/** AGENT_CODES maps the host agent's Connect codes to ours; unlisted codes are internal. */
const AGENT_CODES: Partial<Record<Code, ApiErrorCode>> = {
  [Code.NotFound]: "not_found",
  [Code.FailedPrecondition]: "conflict",
  [Code.AlreadyExists]: "conflict",
  [Code.ResourceExhausted]: "no_capacity",
  [Code.Unavailable]: "unavailable",
  [Code.DeadlineExceeded]: "unavailable",
  [Code.InvalidArgument]: "bad_request",
  [Code.OutOfRange]: "bad_request",
  [Code.PermissionDenied]: "forbidden",
};

/** DB_CODES maps data-layer failures to ours. */
const DB_CODES: Record<DbError["code"], ApiErrorCode> = {
  conflict: "conflict",
  invalid_reference: "bad_request",
  invalid_input: "bad_request",
  retryable: "unavailable",
  unavailable: "unavailable",
  internal: "internal",
};

/**
 * toApiError is the one funnel from whatever the sandbox service caught (agent ConnectError,
 * DbError, a bug) to the ApiError the REST API renders. Only the public part reaches the client:
 * agent messages are ours and safe; database and unknown errors get a fixed text, the original
 * stays as `cause` for the log.
 */
export function toApiError(err: unknown, context?: string): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof DbError) {
    return new ApiError(DB_CODES[err.code], err.publicMessage, { cause: err });
  }
  if (err instanceof ConnectError) {
    const code = AGENT_CODES[err.code] ?? "internal";
    const msg = code === "internal" ? "host agent error" : err.rawMessage;
    return new ApiError(code, context ? `${context}: ${msg}` : msg, { cause: err });
  }
  return new ApiError("internal", "internal error", { cause: err });
}

/**
 * isDefinite tells whether an agent failure is a clear "no" (the agent cleaned up after itself), as
 * opposed to a timeout or lost connection after which the VM may or may not exist.
 */
export function isDefinite(err: unknown): boolean {
  if (!(err instanceof ConnectError)) return false;
  return [
    Code.InvalidArgument,
    Code.NotFound,
    Code.AlreadyExists,
    Code.FailedPrecondition,
    Code.ResourceExhausted,
    Code.PermissionDenied,
    Code.Unauthenticated,
  ].includes(err.code);
}

/** guardApi runs fn and funnels any failure through toApiError. */
export async function guardApi<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toApiError(err);
  }
}
