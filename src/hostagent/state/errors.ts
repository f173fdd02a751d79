/** StateErrorCode is the closed set of state-directory failures. */
export type StateErrorCode =
  | "invalid_id" // a sandbox id that could escape the state directory or is malformed
  | "invalid_record" // a record that lacks required fields or has the wrong types
  | "not_found" // no record (or intent) for that id
  | "io_failed"; // the filesystem refused a read, write, fsync or rename

/** StateError is the one error type the state module throws; the original error is its cause. */
export class StateError extends Error {
  override readonly name = "StateError";
  readonly code: StateErrorCode;
  constructor(code: StateErrorCode, message: string, opts: { cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.code = code;
  }
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** assertId keeps ids to a file-name-safe alphabet, so `<id>.json` can never leave its directory. */
export function assertId(id: string): void {
  if (!ID.test(id)) throw new StateError("invalid_id", `bad sandbox id ${JSON.stringify(id)}`);
}
