// network is the host agent's door to per-sandbox networking: the network manager (netns + veth +
// TAP + NAT per sandbox, /30 allocator, egress policy, pool, reconcile) and bare TAP helpers.

export { type Cidr, formatCidr, parseCidr } from "./cidr.js";
export type { NetworkConfig } from "./config.js";
export { type Egress, type EgressPolicy, normalizeEgress } from "./egress.js";
export { NetworkError, type NetworkErrorCode } from "./errors.js";
export { type AcquireOptions, createNetworkManager, type NetworkManager } from "./manager.js";
export type { ReconcileReport } from "./reconcile.js";
export {
  ENVD_PORT,
  FIXED_GUEST_IP,
  GUEST_MAC,
  GUEST_PREFIX_LEN,
  guestKernelArgs,
  type NetworkSlot,
  TAP_IP,
  TAP_MAC,
  TAP_NAME,
} from "./slot.js";
export { createTap, deleteTap, type TapSpec, validateTap } from "./tap.js";
