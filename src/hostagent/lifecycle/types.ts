import type { SandboxState } from "../../shared/states/index.js";
import type { EnvdClient, EnvdDialer } from "../envdclient/index.js";

/** SandboxStateName is a sandbox's lifecycle state (ARCHITECTURE.md "Sandbox states"). */
export type SandboxStateName = SandboxState;

/** StartMethod says how a sandbox's VM last came up. */
export type StartMethod = "boot" | "template-snapshot" | "resume";

/** Egress is a sandbox's outbound network policy. */
export interface Egress {
  allowCidrs: string[];
  denyCidrs: string[];
  blockAll: boolean;
}

/** SandboxInfo is what the host agent reports about one sandbox. */
export interface SandboxInfo {
  id: string;
  template: string;
  state: SandboxStateName;
  vcpus: number;
  memMiB: number;
  diskMiB: number;
  metadata: Record<string, string>;
  /** sandboxIp is where the host reaches envd (port 49983). */
  sandboxIp: string;
  envdVersion: string;
  createdAt: Date;
  startedAt: Date;
  pausedAt?: Date;
  error?: string;
  startMethod: StartMethod;
  egress: Egress;
}

/** CreateSandboxInput is a validated create request. */
export interface CreateSandboxInput {
  id: string;
  template: string;
  vcpus: number;
  memMiB: number;
  diskMiB: number;
  env: Record<string, string>;
  metadata: Record<string, string>;
  egress: Egress;
  envdAccessToken: string;
  coldBoot: boolean;
}

/** SandboxEvent is one item of the WatchEvents stream. */
export type SandboxEvent = { sandboxId: string; at: Date } & (
  | { kind: "state"; from: SandboxStateName; to: SandboxStateName; reason: string }
  | { kind: "exited"; reason: string }
  | { kind: "oom" }
);

/** HostStatusInfo is the host's capacity, usage and software. */
export interface HostStatusInfo {
  hostId: string;
  vcpus: number;
  memMiB: number;
  diskMiB: number;
  usedVcpus: number;
  usedMemMiB: number;
  usedDiskMiB: number;
  sandboxes: number;
  accelerator: string;
  acceleratorReason: string;
  vmm: string;
  versions: Record<string, string>;
  templates: string[];
  draining: boolean;
}

/**
 * SandboxManager owns every sandbox on this host. It is the one place state transitions happen;
 * the RPC layer only translates. Methods throw SandboxError.
 */
export interface SandboxManager {
  create(input: CreateSandboxInput, signal?: AbortSignal): Promise<{ sandbox: SandboxInfo; readyMs: number }>;
  get(id: string): SandboxInfo;
  list(): SandboxInfo[];
  destroy(id: string): Promise<void>;
  pause(id: string): Promise<{ sandbox: SandboxInfo; snapshotBytes: number }>;
  resume(id: string): Promise<{ sandbox: SandboxInfo; readyMs: number }>;
  /** envd returns a client for a running sandbox's envd (throws wrong_state otherwise). */
  envd(id: string): EnvdClient;
  /** dialer opens raw streams to a running sandbox's guest ports (the HTTP pass-through uses it). */
  dialer(id: string): EnvdDialer;
  status(): Promise<HostStatusInfo>;
  /** events yields sandbox events until the signal aborts. */
  events(signal: AbortSignal): AsyncIterable<SandboxEvent>;
}
