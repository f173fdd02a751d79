import { normalizeCidrs } from "./cidr.js";
import { NetworkError } from "./errors.js";

/**
 * EgressPolicy limits where a guest may open connections: deny CIDRs win over allow CIDRs; a
 * non-empty allow list means "only these"; blockAll drops all outbound traffic.
 */
export interface EgressPolicy {
  allowCidrs?: readonly string[];
  denyCidrs?: readonly string[];
  blockAll?: boolean;
}

/** Egress is a validated EgressPolicy with canonical CIDR text, as persisted and rendered to nft. */
export interface Egress {
  allowCidrs: string[];
  denyCidrs: string[];
  blockAll: boolean;
}

/** MAX_EGRESS_CIDRS bounds each list so one policy cannot produce a huge ruleset. */
export const MAX_EGRESS_CIDRS = 256;

/** OPEN_EGRESS is the default policy: everything allowed. */
export const OPEN_EGRESS: Egress = Object.freeze({
  allowCidrs: [],
  denyCidrs: [],
  blockAll: false,
}) as Egress;

/** normalizeEgress validates a policy before anything is created; bad CIDRs are "invalid_cidr". */
export function normalizeEgress(p: EgressPolicy | undefined): Egress {
  if (!p) return { allowCidrs: [], denyCidrs: [], blockAll: false };
  for (const [name, list] of [
    ["allowCidrs", p.allowCidrs],
    ["denyCidrs", p.denyCidrs],
  ] as const) {
    if (list !== undefined && !Array.isArray(list)) {
      throw new NetworkError("invalid_cidr", `egress ${name} must be a list of CIDRs`);
    }
    if ((list?.length ?? 0) > MAX_EGRESS_CIDRS) {
      throw new NetworkError("invalid_cidr", `egress ${name}: more than ${MAX_EGRESS_CIDRS} entries`);
    }
  }
  return {
    allowCidrs: dedupe(normalizeCidrs(p.allowCidrs)),
    denyCidrs: dedupe(normalizeCidrs(p.denyCidrs)),
    blockAll: p.blockAll === true,
  };
}

/** isOpenEgress says whether a policy allows everything (so its nft chain is empty). */
export function isOpenEgress(e: Egress): boolean {
  return !e.blockAll && e.allowCidrs.length === 0 && e.denyCidrs.length === 0;
}

/** egressRules renders the body of a sandbox's egress chain, one nft rule per line. */
export function egressRules(e: Egress): string[] {
  if (e.blockAll) return ["drop"];
  const rules = e.denyCidrs.map((c) => `ip daddr ${c} drop`);
  if (e.allowCidrs.length > 0) {
    rules.push(...e.allowCidrs.map((c) => `ip daddr ${c} return`), "drop");
  }
  return rules;
}

function dedupe(list: string[]): string[] {
  return [...new Set(list)];
}
