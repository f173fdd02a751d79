/** KEY_IN_TEXT finds anything shaped like a Wrenn or E2B API key inside free text. */
const KEY_IN_TEXT = /\b(wrn|e2b)_([0-9a-f]{8})[0-9a-f]{24,}\b/gi;

/**
 * redactKeys masks API keys in a log line or error message, keeping only the 8-hex lookup prefix
 * (which is not secret) so operators can still tell keys apart: `wrn_0123abcd…[redacted]`.
 */
export function redactKeys(text: string): string {
  return text.replace(KEY_IN_TEXT, (_m, kind: string, lookup: string) => `${kind}_${lookup}…[redacted]`);
}

/** SECRET_HEADERS are request headers whose values are never logged. */
const SECRET_HEADERS = new Set(["x-api-key", "authorization", "x-access-token", "cookie"]);

/** redactHeaders returns a copy of headers safe to log: credential headers become "[redacted]". */
export function redactHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    const value = Array.isArray(v) ? v.join(", ") : v;
    out[k] = SECRET_HEADERS.has(k.toLowerCase()) ? "[redacted]" : redactKeys(value);
  }
  return out;
}
