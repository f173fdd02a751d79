// state is the host agent's crash-safe state directory: one atomically written record per sandbox,
// 0600 secrets beside it, and intent markers that let a restart clean up half-done creates.
export { syncDir, writeFileAtomic } from "./atomic.js";
export { StateError, type StateErrorCode } from "./errors.js";
export type { Skipped } from "./files.js";
export { type IntentOp, type IntentRecord, newIntent } from "./intent.js";
export {
  type EgressPolicy,
  type NetworkSlotRecord,
  parseRecord,
  SANDBOX_STATES,
  type SandboxRecord,
  type SandboxState,
  type SnapshotRecord,
  type StartMethod,
  type VmRecord,
} from "./record.js";
export { type LoadResult, type SandboxSecrets, StateStore } from "./store.js";
