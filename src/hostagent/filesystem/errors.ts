/** FsErrorCode is the closed set of disk and template failures. */
export type FsErrorCode =
  | "template_not_found" // no built image for that template name
  | "invalid_name" // a template name or disk path that could escape its directory
  | "invalid_size" // a requested disk size below the image size, or not a whole MiB count
  | "disk_full" // not enough free space for the copy or snapshot; nothing was written
  | "already_exists" // the destination disk is there already
  | "clone_failed" // cp failed for another reason
  | "resize_failed" // truncate or resize2fs failed
  | "aborted" // the caller's AbortSignal fired
  | "io_failed"; // stat, statfs or rm failed

/** FsError is the one error type the filesystem module throws; the original error is its cause. */
export class FsError extends Error {
  override readonly name = "FsError";
  readonly code: FsErrorCode;
  constructor(code: FsErrorCode, message: string, opts: { cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.code = code;
  }
}
