// states is the one list of sandbox lifecycle states (ARCHITECTURE.md "Sandbox states"), shared by the
// control plane's database CHECK, the host agent's records and both APIs.

/** SandboxState is where a sandbox is in its life; the set matches the CHECK in db/migrations. */
export type SandboxState = "pending" | "starting" | "running" | "paused" | "hibernated" | "stopped" | "error";

/** SANDBOX_STATES lists every state, e.g. to validate an API filter or report zeros in metrics. */
export const SANDBOX_STATES: readonly SandboxState[] = [
  "pending",
  "starting",
  "running",
  "paused",
  "hibernated",
  "stopped",
  "error",
];
