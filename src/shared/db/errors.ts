/**
 * DbErrorCode is the closed set of database failures the data layer reports; the API maps each code to
 * an HTTP status once (conflict → 409, invalid_* → 400, retryable/unavailable → 503, internal → 500).
 */
export type DbErrorCode =
  | "conflict" // a unique constraint was violated (the row already exists)
  | "invalid_reference" // a foreign key points at a row that does not exist (or is still referenced)
  | "invalid_input" // a CHECK/NOT NULL constraint or a data exception rejected a value; a bad cursor
  | "retryable" // serialization failure, deadlock or lock timeout: running the transaction again may work
  | "unavailable" // the server cannot be reached, refused us or dropped the connection
  | "internal"; // anything else: a bug in our SQL or an unexpected server state

/** PUBLIC_MESSAGES is what an API client may read for each code; the driver's text stays in logs. */
const PUBLIC_MESSAGES: Readonly<Record<DbErrorCode, string>> = {
  conflict: "already exists",
  invalid_reference: "refers to something that does not exist",
  invalid_input: "invalid value",
  retryable: "temporary conflict, try again",
  unavailable: "database unavailable",
  internal: "internal error",
};

/**
 * DbError is the one error type the data layer throws. `message` is for logs (driver text, may name
 * tables); `publicMessage` is safe to show clients; `cause` keeps the driver error.
 */
export class DbError extends Error {
  override readonly name = "DbError";
  readonly code: DbErrorCode;
  /** sqlState is the Postgres SQLSTATE when the server reported one (e.g. "23505"). */
  readonly sqlState: string | undefined;
  /** constraint names the violated constraint, when Postgres told us which one. */
  readonly constraint: string | undefined;

  constructor(
    code: DbErrorCode,
    message: string,
    opts: { cause?: unknown; sqlState?: string; constraint?: string } = {},
  ) {
    super(message, { cause: opts.cause });
    this.code = code;
    this.sqlState = opts.sqlState;
    this.constraint = opts.constraint;
  }

  /** publicMessage is a fixed text per code, free of SQL and schema details. */
  get publicMessage(): string {
    return this.code === "invalid_input" && this.message === "invalid pagination cursor"
      ? this.message
      : PUBLIC_MESSAGES[this.code];
  }
}

/** CONNECTION_CODES are errno values and postgres.js codes meaning "the server is not there (now)". */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
]);

/** codeForSqlState maps a SQLSTATE (class first, then exact codes) to our code. */
function codeForSqlState(state: string): DbErrorCode {
  if (state === "23505" || state === "23P01") return "conflict";
  if (state === "23503") return "invalid_reference";
  if (state === "23514" || state === "23502" || state.startsWith("22")) return "invalid_input";
  if (state === "40001" || state === "40P01" || state === "55P03") return "retryable";
  if (state.startsWith("08") || state === "57P01" || state === "57P02" || state === "57P03") {
    return "unavailable";
  }
  if (state === "53300") return "unavailable"; // too_many_connections
  return "internal";
}

/**
 * toDbError is the single funnel from whatever postgres.js (or the socket) threw to a DbError, so the
 * SQLSTATE → code mapping lives in one place. DbErrors pass through unchanged.
 */
export function toDbError(err: unknown): DbError {
  if (err instanceof DbError) return err;
  const e = (typeof err === "object" && err !== null ? err : {}) as {
    code?: unknown;
    message?: unknown;
    constraint_name?: unknown;
  };
  const message = typeof e.message === "string" ? e.message : String(err);
  const code = typeof e.code === "string" ? e.code : "";
  const constraint = typeof e.constraint_name === "string" ? e.constraint_name : undefined;
  if (/^[0-9A-Z]{5}$/.test(code) && !CONNECTION_CODES.has(code)) {
    return new DbError(codeForSqlState(code), message, { cause: err, sqlState: code, constraint });
  }
  if (CONNECTION_CODES.has(code)) {
    return new DbError("unavailable", `database unavailable: ${message}`, { cause: err });
  }
  return new DbError("internal", message, { cause: err });
}

/**
 * dbCall runs one data-layer operation and funnels any failure through toDbError, so callers of the
 * repositories only ever see DbError (plus their own programming errors, which pass through as is).
 */
export async function dbCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError) throw err;
    throw toDbError(err);
  }
}
