import { NetworkError } from "./errors.js";

/** Cidr is a parsed IPv4 network: `base` is the network address as an unsigned 32-bit integer. */
export interface Cidr {
  readonly base: number;
  readonly prefixLen: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** parseIpv4 turns dotted-quad text into an unsigned integer, or undefined when malformed. */
export function parseIpv4(text: string): number | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  let n = 0;
  for (const part of m.slice(1)) {
    if (part.length > 1 && part.startsWith("0")) return undefined; // no octal-looking octets
    const o = Number(part);
    if (o > 255) return undefined;
    n = n * 256 + o;
  }
  return n;
}

/** formatIpv4 turns an unsigned integer back into dotted-quad text. */
export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** maskOf is the netmask of a prefix length as an unsigned integer (maskOf(0) = 0). */
export function maskOf(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
}

/**
 * parseCidr reads "a.b.c.d/n" (or a bare address, meaning /32) and masks off host bits, so
 * "10.1.2.3/8" means 10.0.0.0/8. Anything else is an "invalid_cidr" NetworkError.
 */
export function parseCidr(text: string): Cidr {
  const bad = () => new NetworkError("invalid_cidr", `invalid IPv4 CIDR ${JSON.stringify(text)}`);
  if (typeof text !== "string") throw bad();
  const [addr, len, extra] = text.trim().split("/");
  if (addr === undefined || extra !== undefined) throw bad();
  const ip = parseIpv4(addr);
  if (ip === undefined) throw bad();
  const prefixLen = len === undefined ? 32 : /^\d{1,2}$/.test(len) ? Number(len) : Number.NaN;
  if (!(prefixLen >= 0 && prefixLen <= 32)) throw bad();
  return { base: (ip & maskOf(prefixLen)) >>> 0, prefixLen };
}

/** formatCidr renders a Cidr as "a.b.c.d/n". */
export function formatCidr(c: Cidr): string {
  return `${formatIpv4(c.base)}/${c.prefixLen}`;
}

/** cidrsOverlap says whether two networks share any address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  const m = maskOf(Math.min(a.prefixLen, b.prefixLen));
  return (a.base & m) >>> 0 === (b.base & m) >>> 0;
}

/** normalizeCidrs parses a list of CIDR strings into canonical text, failing on the first bad one. */
export function normalizeCidrs(list: readonly string[] | undefined): string[] {
  return (list ?? []).map((c) => formatCidr(parseCidr(c)));
}
