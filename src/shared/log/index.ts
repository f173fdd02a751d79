// log is the daemons' structured logger: one JSON object per line on stdout, never a secret
// (callers redact keys and tokens before logging).

/** Logger is the small logging surface every module takes. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** jsonLogger writes `{"at","level","msg",...fields}` lines to stdout. */
export function jsonLogger(): Logger {
  const line =
    (level: string) =>
    (msg: string, fields: Record<string, unknown> = {}) =>
      process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), level, msg, ...fields })}\n`);
  return { info: line("info"), warn: line("warn"), error: line("error") };
}
