import { deleteLink, deleteNetns } from "./host.js";
import { sandboxRuleset } from "./rules.js";
import { ipIn, run } from "./run.js";
import { GUEST_PREFIX_LEN, type NetworkSlot, SANDBOX_VETH, TAP_MAC } from "./slot.js";
import { createTap } from "./tap.js";

/** SANDBOX_SYSCTLS: the sandbox netns routes guest traffic and speaks IPv4 only. */
const SANDBOX_SYSCTLS = [
  "net.ipv4.ip_forward=1",
  "net.ipv6.conf.all.disable_ipv6=1",
  "net.ipv6.conf.default.disable_ipv6=1",
];

/**
 * createSlotNetwork builds a slot: its netns, the veth pair into the host netns (`hostNetns`,
 * or the agent's own when undefined) carrying the /30, the TAP with the fixed guest address and
 * the NAT between them. It does not clean up after itself: callers run destroySlotNetwork.
 */
export async function createSlotNetwork(
  hostNetns: string | undefined,
  slot: NetworkSlot,
  vethAlias: string,
): Promise<void> {
  await run("ip", ["netns", "add", slot.netns]);
  await run("sysctl", ["-q", "-w", ...SANDBOX_SYSCTLS], { netns: slot.netns });
  await ipIn(
    hostNetns,
    ["-batch", "-"],
    [
      `link add ${slot.vethHost} type veth peer name ${SANDBOX_VETH} netns ${slot.netns}`,
      `link set ${slot.vethHost} alias ${vethAlias}`,
      `addr add ${slot.hostIp}/30 dev ${slot.vethHost}`,
      `link set ${slot.vethHost} up`,
      "",
    ].join("\n"),
  );
  await ipIn(
    slot.netns,
    ["-batch", "-"],
    [
      "link set lo up",
      `addr add ${slot.sandboxIp}/30 dev ${SANDBOX_VETH}`,
      `link set ${SANDBOX_VETH} up`,
      `route add default via ${slot.hostIp} dev ${SANDBOX_VETH}`,
      "",
    ].join("\n"),
  );
  await createTap({
    netns: slot.netns,
    name: slot.tapName,
    hostIp: slot.tapIp,
    prefixLen: GUEST_PREFIX_LEN,
    guestIp: slot.fixedGuestIp,
    guestMac: slot.guestMac,
    mac: TAP_MAC,
  });
  await run("nft", ["-f", "-"], { netns: slot.netns, input: sandboxRuleset(slot.sandboxIp) });
}

/**
 * destroySlotNetwork removes a slot's veth pair and netns (with its TAP and NAT table). Parts
 * already gone are skipped, so it is safe after a half-done create and when run twice.
 */
export async function destroySlotNetwork(
  hostNetns: string | undefined,
  slot: Pick<NetworkSlot, "netns" | "vethHost">,
): Promise<void> {
  // Deleting the host end first removes the pair now; `netns del` frees the namespace lazily.
  await deleteLink(hostNetns, slot.vethHost);
  await deleteNetns(slot.netns);
}
