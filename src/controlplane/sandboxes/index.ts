// sandboxes is the door to the sandbox service: the SandboxService contract the REST API calls, its
// real implementation over Postgres + scheduler + host agents, and the shared pause/destroy steps the
// lifecycle loop reuses.
export {
  AGENT_TIMEOUT_MS,
  type HostRef,
  publicEnvdRoute,
  type ServiceDeps,
  type ServiceLogger,
} from "./deps.js";
export { toApiError } from "./errors.js";
export { pauseSandbox, stopSandbox } from "./ops.js";
export { createSandboxService } from "./service.js";
export type {
  Caller,
  CreateSandbox,
  EnvdRoute,
  ExecEvent,
  ExecInput,
  ListSandboxes,
  SandboxService,
  SandboxView,
  TerminalSession,
} from "./types.js";
