// models is the door to the control plane's records: the sandbox state machine (the one place it is
// defined) and the repositories that read and change sandboxes, hosts, teams, audit and billing rows.
// Every function takes a Db (pool or transaction) and throws only DbError for database failures.
export { type AuditEvent, type AuditRecord, listAudit, recordAudit } from "./audit.js";
export { type BillingEvent, enqueueBilling, markBillingSent, pendingBilling } from "./billing.js";
export type { Host, HostState, Resources } from "./host.js";
export {
  getHost,
  type HostRegistration,
  heartbeatHost,
  hostCandidates,
  listHosts,
  markStaleHosts,
  registerHost,
  releaseCapacity,
  reserveCapacity,
  type StaleHosts,
  setHostState,
} from "./host-repo.js";
export { type ClaimOptions, claimExpired, type ExpiredSandbox, type ExpiryReason } from "./lifecycle.js";
export type { OnTimeout, Sandbox } from "./sandbox.js";
export { type ListFilter, listSandboxes, type SandboxPage } from "./sandbox-list.js";
export {
  getSandbox,
  getSandboxEnv,
  insertSandbox,
  type NewSandbox,
  setSandboxTimeout,
  type TransitionFields,
  type TransitionScope,
  touchActivity,
  transition,
} from "./sandbox-repo.js";
export {
  canTransition,
  InvalidTransitionError,
  isSandboxState,
  SANDBOX_STATES,
  type SandboxState,
  sourcesOf,
  TRANSITIONS,
} from "./sandbox-state.js";
export { createTeam, ensureTeam, getTeam, type Team } from "./team-repo.js";
