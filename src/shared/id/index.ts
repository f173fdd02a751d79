// id makes and checks the identifiers Wrenn hands out. All randomness comes from node:crypto.
import { randomBytes } from "node:crypto";

/** randomHex returns `bytes` cryptographically random bytes as lowercase hex (2 chars per byte). */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

const SANDBOX_ID_RE = /^sb-[0-9a-f]{8}$/;

/**
 * newSandboxId returns `sb-` + 8 random hex: short enough for hostnames, TAP and netns names
 * (`tap-sb-<8 hex>` fits IFNAMSIZ). 32 bits can collide, so inserts retry on a conflict.
 */
export function newSandboxId(): string {
  return `sb-${randomHex(4)}`;
}

/** isSandboxId checks the format before a lookup, so junk in a URL is a 404 without a query. */
export function isSandboxId(s: string): boolean {
  return SANDBOX_ID_RE.test(s);
}

/** newTeamId returns `tm-` + 16 random hex (64 bits: never retried). */
export function newTeamId(): string {
  return `tm-${randomHex(8)}`;
}

/** newKeyId returns `key-` + 16 random hex; it names an API key record, never the secret. */
export function newKeyId(): string {
  return `key-${randomHex(8)}`;
}

/** newHostId returns `host-` + 8 random hex, for agents that do not bring a stable id of their own. */
export function newHostId(): string {
  return `host-${randomHex(4)}`;
}
