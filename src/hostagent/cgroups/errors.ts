/** CgroupErrorCode is the closed set of cgroup failures. */
export type CgroupErrorCode =
  | "unsupported" // neither cgroup v2 with cpu+memory+pids nor the v1 controllers are mounted
  | "invalid_spec" // a bad sandbox id or limit
  | "not_found" // no cgroup for that sandbox
  | "busy" // processes would not leave the cgroup before the deadline
  | "io_failed"; // the kernel refused a read or write (the errno is in the cause)

/** CgroupError is the one error type the cgroups module throws; the original error is its cause. */
export class CgroupError extends Error {
  override readonly name = "CgroupError";
  readonly code: CgroupErrorCode;
  constructor(code: CgroupErrorCode, message: string, opts: { cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.code = code;
  }
}

/** io runs kernel file work and maps its failures (errno) to `io_failed`, keeping the cause. */
export async function io<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof CgroupError) throw err;
    throw new CgroupError("io_failed", `cannot ${what}: ${(err as Error).message}`, { cause: err });
  }
}
