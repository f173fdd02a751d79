import { NetworkError } from "./errors.js";
import { ip } from "./ip.js";

/** TapSpec describes a TAP inside an existing network namespace (the caller owns the netns). */
export interface TapSpec {
  netns: string;
  name: string;
  /** hostIp/prefixLen is the TAP's own address: the guest's gateway. */
  hostIp?: string;
  prefixLen?: number;
  /**
   * guestIp + guestMac add a permanent neighbour entry, so the first packet to a not-yet-booted
   * (or just restored) guest does not stall for ~1 s in ARP retries.
   */
  guestIp?: string;
  guestMac?: string;
  /** mac fixes the TAP's own MAC (the guest's gateway MAC), which snapshot restores rely on. */
  mac?: string;
  mtu?: number;
}

const NAME = /^[A-Za-z0-9_.-]{1,15}$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i;

/** validateTap rejects names and addresses that `ip` would misread, before anything is created. */
export function validateTap(t: TapSpec): void {
  const bad = (why: string) => new NetworkError("invalid_config", `TAP ${t.netns}/${t.name}: ${why}`);
  if (!NAME.test(t.netns.slice(0, 15)) || t.netns.length > 64)
    throw bad(`bad netns name ${JSON.stringify(t.netns)}`);
  if (!NAME.test(t.name)) throw bad(`bad interface name ${JSON.stringify(t.name)} (1-15 of [A-Za-z0-9_.-])`);
  for (const addr of [t.hostIp, t.guestIp]) {
    if (addr !== undefined && !(IPV4.test(addr) && addr.split(".").every((o) => Number(o) <= 255))) {
      throw bad(`bad IPv4 address ${addr}`);
    }
  }
  for (const mac of [t.guestMac, t.mac]) if (mac !== undefined && !MAC.test(mac)) throw bad(`bad MAC ${mac}`);
  if ((t.guestIp === undefined) !== (t.guestMac === undefined)) throw bad("guestIp and guestMac go together");
}

/**
 * createTap makes the TAP in `netns`, addresses it and brings it (and lo) up. On failure the
 * half-made TAP is removed again, so a retry starts clean.
 */
export async function createTap(t: TapSpec): Promise<void> {
  validateTap(t);
  const n = ["-n", t.netns];
  await ip([...n, "tuntap", "add", "dev", t.name, "mode", "tap"]);
  try {
    if (t.mac !== undefined) await ip([...n, "link", "set", t.name, "address", t.mac]);
    if (t.mtu !== undefined) await ip([...n, "link", "set", t.name, "mtu", String(t.mtu)]);
    if (t.hostIp) await ip([...n, "addr", "add", `${t.hostIp}/${t.prefixLen ?? 30}`, "dev", t.name]);
    await ip([...n, "link", "set", "lo", "up"]);
    await ip([...n, "link", "set", t.name, "up"]);
    if (t.guestIp && t.guestMac) {
      await ip([
        ...n,
        "neigh",
        "replace",
        t.guestIp,
        "lladdr",
        t.guestMac,
        "dev",
        t.name,
        "nud",
        "permanent",
      ]);
    }
  } catch (err) {
    await deleteTap(t).catch(() => {});
    throw err;
  }
}

/** deleteTap removes the TAP; a TAP that is already gone is not an error. */
export async function deleteTap(t: Pick<TapSpec, "netns" | "name">): Promise<void> {
  try {
    await ip(["-n", t.netns, "link", "del", t.name]);
  } catch (err) {
    if (err instanceof NetworkError && /Cannot find device|does not exist/.test(err.message)) return;
    throw err;
  }
}
