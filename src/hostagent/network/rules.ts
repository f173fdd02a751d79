import { type Egress, egressRules } from "./egress.js";
import { FIXED_GUEST_IP, SANDBOX_VETH, TAP_NAME } from "./slot.js";

/** TABLE is the nftables table the manager owns, in the host netns and in every sandbox netns. */
export const TABLE = "wrenn";

/** HostRulesInput is everything the host table depends on; the table is regenerated from it. */
export interface HostRulesInput {
  baseCidr: string;
  /** uplink gets the MASQUERADE rule; undefined masquerades out of every non-sandbox interface. */
  uplink: string | undefined;
  slots: readonly { id: string; vethHost: string; egress: Egress }[];
}

/** egressChain names a slot's egress chain in the host table. */
export function egressChain(id: string): string {
  return `egress_${id}`;
}

/**
 * hostRuleset renders the host netns' `inet wrenn` table as one atomic `nft -f` transaction that
 * replaces the old table: isolation (no sandbox→sandbox, no sandbox→host except replies, no new
 * inbound forwards), a per-slot egress chain, and MASQUERADE of the base CIDR out of the uplink.
 */
export function hostRuleset(i: HostRulesInput): string {
  const names = i.slots.map((s) => `"${s.vethHost}"`).join(", ");
  const masqOut = i.uplink ? `oifname "${i.uplink}"` : "oifname != @sandboxes";
  const lines = [
    `table inet ${TABLE}`,
    `delete table inet ${TABLE}`,
    `table inet ${TABLE} {`,
    "  set sandboxes {",
    "    type ifname",
    ...(i.slots.length > 0 ? [`    elements = { ${names} }`] : []),
    "  }",
    "  chain input {",
    "    type filter hook input priority filter; policy accept;",
    "    iifname @sandboxes ct state established,related accept",
    "    iifname @sandboxes drop",
    "  }",
    "  chain forward {",
    "    type filter hook forward priority filter; policy accept;",
    "    iifname @sandboxes oifname @sandboxes drop",
    "    oifname @sandboxes ct state established,related accept",
    "    oifname @sandboxes drop",
    "    iifname @sandboxes meta nfproto ipv6 drop",
    ...(i.slots.length > 0
      ? [
          `    iifname vmap { ${i.slots.map((s) => `"${s.vethHost}" : jump ${egressChain(s.id)}`).join(", ")} }`,
        ]
      : []),
    "  }",
    ...i.slots.flatMap((s) => [
      `  chain ${egressChain(s.id)} {`,
      ...egressRules(s.egress).map((r) => `    ${r}`),
      "  }",
    ]),
    "  chain postrouting {",
    "    type nat hook postrouting priority srcnat; policy accept;",
    `    ip saddr ${i.baseCidr} ${masqOut} masquerade`,
    "  }",
    "}",
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * sandboxRuleset renders a sandbox netns' `ip wrenn` table: DNAT of the sandbox address to the
 * fixed guest IP, SNAT back, anti-spoofing on the TAP, and no guest access to the netns itself.
 */
export function sandboxRuleset(sandboxIp: string): string {
  const lines = [
    `table ip ${TABLE}`,
    `delete table ip ${TABLE}`,
    `table ip ${TABLE} {`,
    "  chain prerouting {",
    "    type nat hook prerouting priority dstnat; policy accept;",
    `    iifname "${SANDBOX_VETH}" ip daddr ${sandboxIp} dnat to ${FIXED_GUEST_IP}`,
    "  }",
    "  chain postrouting {",
    "    type nat hook postrouting priority srcnat; policy accept;",
    `    oifname "${SANDBOX_VETH}" ip saddr ${FIXED_GUEST_IP} snat to ${sandboxIp}`,
    "  }",
    "  chain forward {",
    "    type filter hook forward priority filter; policy drop;",
    `    iifname "${TAP_NAME}" oifname "${SANDBOX_VETH}" ip saddr ${FIXED_GUEST_IP} accept`,
    `    iifname "${SANDBOX_VETH}" oifname "${TAP_NAME}" ip daddr ${FIXED_GUEST_IP} accept`,
    "  }",
    "  chain input {",
    "    type filter hook input priority filter; policy accept;",
    `    iifname "${TAP_NAME}" ct state established,related accept`,
    `    iifname "${TAP_NAME}" drop`,
    "  }",
    "}",
  ];
  return `${lines.join("\n")}\n`;
}
