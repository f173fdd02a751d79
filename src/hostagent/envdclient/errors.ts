/**
 * EnvdErrorCode is the closed set of failures the envd client reports; one line of meaning each.
 */
export type EnvdErrorCode =
  | "dial_failed" // the dialer could not open a stream to envd (socket, netns forwarder, vsock handshake)
  | "handshake_failed" // the Firecracker hybrid-vsock CONNECT/OK exchange failed
  | "timeout" // envd did not become healthy (or answer) in time
  | "aborted" // the caller's AbortSignal fired
  | "http_error" // envd answered a REST call with a non-success status
  | "rpc_error" // a Connect RPC failed (the ConnectError is the cause)
  | "protocol_error"; // envd answered something the client cannot interpret

/** EnvdError is the one error type envdclient throws, so callers can switch on `code`. */
export class EnvdError extends Error {
  override readonly name = "EnvdError";
  readonly code: EnvdErrorCode;
  /** status is the HTTP status for "http_error". */
  readonly status: number | undefined;

  constructor(code: EnvdErrorCode, message: string, opts: { cause?: unknown; status?: number } = {}) {
    super(message, { cause: opts.cause });
    this.code = code;
    this.status = opts.status;
  }
}

/** toEnvdError is the funnel for caught values: EnvdErrors pass through, others are wrapped with `code`. */
export function toEnvdError(err: unknown, code: EnvdErrorCode, context: string): EnvdError {
  if (err instanceof EnvdError) return err;
  if (isAbort(err)) return new EnvdError("aborted", `${context}: aborted`, { cause: err });
  const msg = err instanceof Error ? err.message : String(err);
  return new EnvdError(code, `${context}: ${msg}`, { cause: err });
}

function isAbort(err: unknown): boolean {
  return (
    err instanceof Error && (err.name === "AbortError" || (err as { code?: unknown }).code === "ABORT_ERR")
  );
}
