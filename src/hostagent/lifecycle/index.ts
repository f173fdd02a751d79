// lifecycle owns sandboxes on this host: the SandboxManager contract, its errors and implementation.
export { SandboxError, type SandboxErrorCode } from "./errors.js";
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
