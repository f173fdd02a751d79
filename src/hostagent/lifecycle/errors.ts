/** SandboxErrorCode is the closed set of reasons a sandbox operation fails; the API maps each once. */
export type SandboxErrorCode =
  /** no sandbox (or template) with that id on this host */
  | "not_found"
  /** a sandbox with that id exists already */
  | "already_exists"
  /** the request is malformed (bad CIDR, size, resource numbers) */
  | "invalid_argument"
  /** the sandbox is not in a state that allows the operation (pause of a paused sandbox) */
  | "wrong_state"
  /** the host lacks vCPUs, memory, disk or network slots */
  | "capacity"
  /** the guest or a host resource is unreachable right now */
  | "unavailable"
  /** a bug or an unexpected host failure */
  | "internal";

/** SandboxError is the only error the lifecycle layer throws; `cause` keeps the original for logs. */
export class SandboxError extends Error {
  override readonly name = "SandboxError";
  constructor(
    readonly code: SandboxErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
