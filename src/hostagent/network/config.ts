import { type Cidr, cidrsOverlap, formatCidr, parseCidr } from "./cidr.js";
import { NetworkError } from "./errors.js";
import { FIXED_GUEST_IP, GUEST_PREFIX_LEN, type SlotNaming } from "./slot.js";

/** NetworkConfig configures the network manager; only stateDir is required. */
export interface NetworkConfig {
  /** stateDir holds `network.json`, the persisted /30 allocations. */
  stateDir: string;
  /** prefix names sandbox netns `<prefix>-<8 hex>` (netns names are machine-global). Default "wrn". */
  prefix?: string;
  /** vethPrefix (≤ 7 chars) names host veth ends `<vethPrefix><8 hex>`. Default "veth-". */
  vethPrefix?: string;
  /** baseCidr is split into one /30 per sandbox. Default 10.0.0.0/16 (16384 sandboxes). */
  baseCidr?: string;
  /** uplink is the interface sandbox traffic is masqueraded out of. Default: the default route's. */
  uplink?: string;
  /** hostNetns runs every host-side command in this netns instead of the agent's own (tests). */
  hostNetns?: string;
  /** poolSize is how many ready slots are kept for instant acquires. Default 2. */
  poolSize?: number;
  /** onBackgroundError hears pool-refill failures (they never reach a caller otherwise). */
  onBackgroundError?: (err: NetworkError) => void;
}

/** ResolvedConfig is NetworkConfig after validation, with defaults filled in. */
export interface ResolvedConfig extends SlotNaming {
  stateDir: string;
  base: Cidr;
  baseCidr: string;
  uplink: string | undefined;
  hostNetns: string | undefined;
  poolSize: number;
  onBackgroundError: (err: NetworkError) => void;
}

const PREFIX = /^[a-z][a-z0-9]{0,11}$/;
const VETH_PREFIX = /^[a-z][a-z0-9-]{0,6}$/;
const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;
const NETNS = /^[A-Za-z0-9_.-]{1,64}$/;

/** resolveConfig validates the config once, so a bad field fails at start-up with a clear message. */
export function resolveConfig(c: NetworkConfig): ResolvedConfig {
  const bad = (why: string) => new NetworkError("invalid_config", `network config: ${why}`);
  const prefix = c.prefix ?? "wrn";
  const vethPrefix = c.vethPrefix ?? "veth-";
  if (!PREFIX.test(prefix)) throw bad(`prefix ${JSON.stringify(prefix)} must match ${PREFIX}`);
  if (!VETH_PREFIX.test(vethPrefix))
    throw bad(`vethPrefix ${JSON.stringify(vethPrefix)} must match ${VETH_PREFIX}`);
  if (c.uplink !== undefined && !IFNAME.test(c.uplink)) throw bad(`bad uplink ${JSON.stringify(c.uplink)}`);
  if (c.hostNetns !== undefined && !NETNS.test(c.hostNetns)) {
    throw bad(`bad hostNetns ${JSON.stringify(c.hostNetns)}`);
  }
  if (!c.stateDir) throw bad("stateDir is required");
  const base = parseCidr(c.baseCidr ?? "10.0.0.0/16");
  if (base.prefixLen > 30) throw bad(`baseCidr ${formatCidr(base)} is smaller than one /30`);
  const guestNet = parseCidr(`${FIXED_GUEST_IP}/${GUEST_PREFIX_LEN}`);
  if (cidrsOverlap(base, guestNet)) throw bad(`baseCidr ${formatCidr(base)} overlaps the guest link`);
  const poolSize = c.poolSize ?? 2;
  if (!Number.isInteger(poolSize) || poolSize < 0 || poolSize > 64) throw bad("poolSize must be 0..64");
  return {
    stateDir: c.stateDir,
    prefix,
    vethPrefix,
    base,
    baseCidr: formatCidr(base),
    uplink: c.uplink,
    hostNetns: c.hostNetns,
    poolSize,
    onBackgroundError: c.onBackgroundError ?? (() => {}),
  };
}
