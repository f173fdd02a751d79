/**
 * VmErrorCode is the closed set of VM-layer failures; the host agent maps each to an API status once.
 */
export type VmErrorCode =
  | "missing_image" // kernel, initrd or rootfs file does not exist (run `make images`)
  | "invalid_spec" // the VmSpec is unusable (bad size, name, address)
  | "boot_failed" // the VMM exited or never became ready during boot
  | "not_found" // no such VM / the VMM process is gone
  | "vmm_error" // the VMM rejected a command (QMP error, Firecracker fault_message)
  | "snapshot_failed" // writing memory + device state failed
  | "invalid_snapshot" // snapshot files missing, corrupt or taken from a different machine config
  | "restore_failed" // the VMM could not load a valid-looking snapshot
  | "timeout" // a VMM operation did not finish in time
  | "aborted"; // the caller's AbortSignal fired

/** VmError is the one error type the vm drivers throw; `cause` keeps the low-level error for logs. */
export class VmError extends Error {
  override readonly name = "VmError";
  readonly code: VmErrorCode;
  /** detail is extra diagnostic text (e.g. the serial log tail) kept apart from the message. */
  readonly detail: string | undefined;

  constructor(code: VmErrorCode, message: string, opts: { cause?: unknown; detail?: string } = {}) {
    super(message, { cause: opts.cause });
    this.code = code;
    this.detail = opts.detail;
  }
}

/** toVmError is the funnel for caught values: VmErrors pass through, aborts become "aborted". */
export function toVmError(err: unknown, code: VmErrorCode, context: string): VmError {
  if (err instanceof VmError) return err;
  if (err instanceof Error && (err.name === "AbortError" || err.name === "TimeoutError")) {
    return new VmError(err.name === "TimeoutError" ? "timeout" : "aborted", `${context}: ${err.message}`, {
      cause: err,
    });
  }
  const msg = err instanceof Error ? err.message : String(err);
  return new VmError(code, `${context}: ${msg}`, { cause: err });
}

/** throwIfAborted turns a fired signal into VmError("aborted") at a safe point of a long operation. */
export function throwIfAborted(signal: AbortSignal | undefined, context: string): void {
  if (signal?.aborted) throw new VmError("aborted", `${context}: aborted`, { cause: signal.reason });
}

/** PRECISE_CODES are failure codes more precise than a phase's own (boot_failed/restore_failed). */
const PRECISE_CODES = new Set<VmErrorCode>([
  "timeout",
  "aborted",
  "invalid_snapshot",
  "missing_image",
  "invalid_spec",
]);

/**
 * phaseError wraps a failure of a boot/restore phase: precise codes (abort, timeout, bad snapshot)
 * survive, anything else becomes `code`; `detail` carries log tails for operators, not API clients.
 */
export function phaseError(
  err: unknown,
  code: VmErrorCode,
  context: string,
  hint: string,
  detail: string,
): VmError {
  const base = toVmError(err, code, context);
  return new VmError(PRECISE_CODES.has(base.code) ? base.code : code, `${base.message}${hint}`, {
    cause: base,
    detail,
  });
}
