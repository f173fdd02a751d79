import { type Cidr, formatIpv4 } from "./cidr.js";
import type { Egress } from "./egress.js";

/** FIXED_GUEST_IP is every guest's own address; fixed so one template snapshot fits every clone. */
export const FIXED_GUEST_IP = "169.254.0.21";
/** TAP_IP is the TAP's address in the sandbox netns: the guest's gateway (wrenn.gw=). */
export const TAP_IP = "169.254.0.22";
/** GUEST_PREFIX_LEN is the prefix of the guest/TAP link (169.254.0.20/30). */
export const GUEST_PREFIX_LEN = 30;
/** GUEST_MAC is the fixed, locally administered MAC of every guest NIC (part of snapshot state). */
export const GUEST_MAC = "02:57:52:4e:00:15";
/**
 * TAP_MAC is the fixed MAC of every sandbox's TAP (the guest's gateway). A restored guest keeps
 * the gateway's MAC in its ARP cache, so a random TAP MAC would blackhole a clone's traffic
 * until that entry expires (~30 s).
 */
export const TAP_MAC = "02:57:52:4e:00:16";
/** TAP_NAME is the TAP inside each sandbox netns that the VMM opens. */
export const TAP_NAME = "tap0";
/** SANDBOX_VETH is the sandbox-netns end of the veth pair. */
export const SANDBOX_VETH = "eth0";
/** ENVD_PORT is where envd listens in the guest; reachable at sandboxIp:ENVD_PORT from the host. */
export const ENVD_PORT = 49983;

/**
 * NetworkSlot is one sandbox's ready network: its netns (holding the TAP with the fixed guest
 * address) and the /30 whose `sandboxIp` the host agent dials, NATed to the guest.
 */
export interface NetworkSlot {
  /** id is 8 hex digits; it names the netns (`<prefix>-<id>`) and the host veth. */
  readonly id: string;
  readonly netns: string;
  readonly tapName: string;
  readonly guestMac: string;
  readonly fixedGuestIp: string;
  readonly guestPrefixLen: number;
  readonly tapIp: string;
  /** sandboxIp is the sandbox's address (4k+2), DNATed to the guest inside the netns. */
  readonly sandboxIp: string;
  /** hostIp is the host veth end's address (4k+1), the sandbox netns' default gateway. */
  readonly hostIp: string;
  readonly vethHost: string;
  /** index is the /30's position in the base CIDR (what the allocator persists). */
  readonly index: number;
  readonly sandboxId: string | undefined;
  readonly egress: Egress;
}

/** SlotNaming is the configurable part of interface and netns names. */
export interface SlotNaming {
  prefix: string;
  vethPrefix: string;
}

/** SLOT_ID matches a slot id: 8 lowercase hex digits. */
export const SLOT_ID = /^[0-9a-f]{8}$/;

/** netnsName is the global `ip netns` name of a slot. */
export function netnsName(n: SlotNaming, id: string): string {
  return `${n.prefix}-${id}`;
}

/** vethName is the host-side veth of a slot (≤ 15 chars: prefix ≤ 7 + 8 hex). */
export function vethName(n: SlotNaming, id: string): string {
  return `${n.vethPrefix}${id}`;
}

/** slotCapacity is how many /30s fit in the base CIDR. */
export function slotCapacity(base: Cidr): number {
  return 2 ** (32 - base.prefixLen) / 4;
}

/** makeSlot computes a slot's names and addresses from its id and /30 index. */
export function makeSlot(
  n: SlotNaming,
  base: Cidr,
  rec: { id: string; index: number; sandboxId?: string | undefined; egress: Egress },
): NetworkSlot {
  const net = base.base + rec.index * 4;
  return {
    id: rec.id,
    netns: netnsName(n, rec.id),
    tapName: TAP_NAME,
    guestMac: GUEST_MAC,
    fixedGuestIp: FIXED_GUEST_IP,
    guestPrefixLen: GUEST_PREFIX_LEN,
    tapIp: TAP_IP,
    sandboxIp: formatIpv4(net + 2),
    hostIp: formatIpv4(net + 1),
    vethHost: vethName(n, rec.id),
    index: rec.index,
    sandboxId: rec.sandboxId,
    egress: rec.egress,
  };
}

/** guestKernelArgs are the wrenn.* kernel parameters that configure the guest NIC (envd initsys). */
export function guestKernelArgs(slot: Pick<NetworkSlot, "fixedGuestIp" | "guestPrefixLen" | "tapIp">) {
  return [`wrenn.ip=${slot.fixedGuestIp}/${slot.guestPrefixLen}`, `wrenn.gw=${slot.tapIp}`];
}
