import { createHash, timingSafeEqual } from "node:crypto";
import { randomHex } from "../../shared/id/index.js";

/** KEY_PREFIX marks Wrenn API keys, so scanners and our log redaction can recognise them. */
export const KEY_PREFIX = "wrn_";

/** E2B_PREFIX is the alias form: the same secret presented as `e2b_<hex>` works with E2B's SDKs. */
export const E2B_PREFIX = "e2b_";

/** KEY_RE accepts either prefix and 32–64 lowercase hex (we issue 32: 128 random bits). */
const KEY_RE = /^(?:wrn|e2b)_([0-9a-f]{32,64})$/;

/** ParsedKey is a presented key reduced to what identifies it, independent of its prefix. */
export interface ParsedKey {
  /** secret is the hex part; it is hashed and never stored or logged. */
  secret: string;
  /** lookup is the first 8 hex of the secret: stored in clear to find the row and to show the key. */
  lookup: string;
}

/** generateApiKey draws a new `wrn_` + 32 hex key from the CSPRNG. */
export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomHex(16)}`;
}

/** parseApiKey accepts `wrn_<hex>` or `e2b_<hex>` and returns null for anything else. */
export function parseApiKey(presented: string): ParsedKey | null {
  const m = KEY_RE.exec(presented.trim());
  const secret = m?.[1];
  return secret ? { secret, lookup: secret.slice(0, 8) } : null;
}

/**
 * hashSecret is SHA-256 of the hex secret, as hex. A fast hash is right here, unlike for passwords:
 * the secret has 128 random bits, so there is nothing to brute-force, and a slow KDF would only
 * make every API request slower. Both prefixes hash alike because only the hex part is hashed.
 */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** hashesEqual compares two hex SHA-256 digests in constant time, so timing leaks nothing. */
export function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === 32 && y.length === 32 && timingSafeEqual(x, y);
}

/** displayKey is how a key is shown after creation: `wrn_` + its 8-hex lookup prefix + an ellipsis. */
export function displayKey(lookup: string): string {
  return `${KEY_PREFIX}${lookup}…`;
}
