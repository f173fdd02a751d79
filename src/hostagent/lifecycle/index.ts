// lifecycle owns sandboxes on this host: the SandboxManager contract, its errors and implementation.
export { SandboxError, type SandboxErrorCode } from "./errors.js";
export { createSandboxManager, type HostSandboxManager, type ManagerOptions } from "./manager.js";
export { LOST_REASON, type RecoveryReport } from "./recover.js";
export type { Images, Logger } from "./sandbox.js";
export type {
  CreateSandboxInput,
  Egress,
  HostStatusInfo,
  SandboxEvent,
  SandboxInfo,
  SandboxManager,
  SandboxStateName,
  StartMethod,
} from "./types.js";
