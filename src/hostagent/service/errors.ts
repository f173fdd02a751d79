import { Code, ConnectError } from "@connectrpc/connect";
import { EnvdError } from "../envdclient/index.js";
import { SandboxError, type SandboxErrorCode } from "../lifecycle/errors.js";

const sandboxCodes: Record<SandboxErrorCode, Code> = {
  not_found: Code.NotFound,
  already_exists: Code.AlreadyExists,
  invalid_argument: Code.InvalidArgument,
  wrong_state: Code.FailedPrecondition,
  capacity: Code.ResourceExhausted,
  unavailable: Code.Unavailable,
  internal: Code.Internal,
};

/**
 * toConnectError is the one funnel from anything a handler caught to what the caller sees: known
 * errors keep their message and get their code; the original stays as `cause` for the log.
 */
export function toConnectError(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  if (err instanceof SandboxError)
    return new ConnectError(err.message, sandboxCodes[err.code], undefined, undefined, err);
  if (err instanceof EnvdError)
    return new ConnectError(err.message, envdCode(err), undefined, undefined, err);
  return new ConnectError("internal error", Code.Internal, undefined, undefined, err);
}

/** guard runs fn and funnels its failure through toConnectError. */
export async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toConnectError(err);
  }
}

const httpCodes: Record<number, Code> = {
  400: Code.InvalidArgument,
  401: Code.PermissionDenied,
  403: Code.PermissionDenied,
  404: Code.NotFound,
  409: Code.AlreadyExists,
  507: Code.ResourceExhausted,
};

/** envdCode keeps the guest's own verdict (Connect code or HTTP status) where there is one. */
function envdCode(err: EnvdError): Code {
  switch (err.code) {
    case "rpc_error":
      return err.cause instanceof ConnectError ? err.cause.code : Code.Internal;
    case "http_error":
      return httpCodes[err.status ?? 0] ?? Code.Internal;
    case "aborted":
      return Code.Canceled;
    case "timeout":
      return Code.DeadlineExceeded;
    case "dial_failed":
    case "handshake_failed":
      return Code.Unavailable;
    default:
      return Code.Internal;
  }
}
