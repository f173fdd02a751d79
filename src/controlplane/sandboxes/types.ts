import type { Readable } from "node:stream";
import type { OnTimeout, SandboxState } from "../../shared/models/index.js";

/** Caller is the authenticated principal of a request. */
export interface Caller {
  teamId: string;
  keyId: string;
  scopes: string[];
}

/** SandboxView is the public JSON shape of a sandbox (never env, never the host's token). */
export interface SandboxView {
  id: string;
  template: string;
  state: SandboxState;
  vcpus: number;
  memory_mib: number;
  disk_mib: number;
  metadata: Record<string, string>;
  timeout_s: number;
  idle_timeout_s: number | null;
  on_timeout: OnTimeout;
  host_id: string | null;
  envd_access_token: string | null;
  envd_version: string | null;
  created_at: string;
  started_at: string | null;
  paused_at: string | null;
  end_at: string | null;
  error: string | null;
}

/** CreateSandbox is a validated POST /v1/sandboxes body. */
export interface CreateSandbox {
  template: string;
  vcpus?: number;
  memory_mib?: number;
  disk_mib?: number;
  timeout_s: number;
  idle_timeout_s?: number;
  on_timeout: OnTimeout;
  env: Record<string, string>;
  metadata: Record<string, string>;
  egress?: { allow_cidrs?: string[]; deny_cidrs?: string[]; block_all?: boolean };
}

/** ListSandboxes filters GET /v1/sandboxes. */
export interface ListSandboxes {
  states?: SandboxState[];
  metadata?: Record<string, string>;
  limit: number;
  cursor?: string;
}

/** ExecInput is a validated exec request; `cmd` alone with `shell` true runs through /bin/bash -lc. */
export interface ExecInput {
  cmd: string;
  args: string[];
  shell: boolean;
  env: Record<string, string>;
  cwd?: string;
  user?: string;
  timeout_s: number;
  stdin?: Uint8Array;
}

/** ExecEvent is one streamed exec event (SSE `event:` names match `type`). */
export type ExecEvent =
  | { type: "start"; pid: number }
  | { type: "stdout" | "stderr"; data: Uint8Array }
  | { type: "exit"; exit_code: number; status: string; error: string };

/** TerminalSession is a PTY in a sandbox bridged to a WebSocket. */
export interface TerminalSession {
  readonly output: AsyncIterable<Uint8Array>;
  /** exit resolves with the shell's exit code when it ends. */
  readonly exit: Promise<number>;
  input(data: Uint8Array): void;
  resize(cols: number, rows: number): void;
  close(): void;
}

/** EnvdRoute says where the envd pass-through for a sandbox goes (the host agent's proxy). */
export interface EnvdRoute {
  /** baseUrl is http://<agent address>/sandboxes/<id>/envd */
  baseUrl: string;
  /** agentToken is sent as x-wrenn-agent-token. */
  agentToken: string;
}

/**
 * SandboxService is everything the REST API does to sandboxes: it owns the DB rows, the scheduler and
 * the host-agent calls, and throws only ApiError. Every method is scoped to the caller's team: another
 * team's sandbox is not_found. Mutations are audited.
 */
export interface SandboxService {
  create(caller: Caller, input: CreateSandbox, signal?: AbortSignal): Promise<SandboxView>;
  get(caller: Caller, id: string): Promise<SandboxView>;
  list(caller: Caller, filter: ListSandboxes): Promise<{ items: SandboxView[]; next_cursor: string | null }>;
  destroy(caller: Caller, id: string): Promise<void>;
  pause(caller: Caller, id: string): Promise<SandboxView>;
  resume(caller: Caller, id: string, timeoutS?: number): Promise<SandboxView>;
  setTimeout(caller: Caller, id: string, timeoutS: number): Promise<SandboxView>;
  exec(caller: Caller, id: string, input: ExecInput, signal: AbortSignal): AsyncIterable<ExecEvent>;
  writeFile(
    caller: Caller,
    id: string,
    path: string,
    body: Readable,
    user?: string,
  ): Promise<{ bytes: number }>;
  readFile(
    caller: Caller,
    id: string,
    path: string,
    user?: string,
  ): Promise<{ size?: number; body: Readable }>;
  terminal(
    caller: Caller,
    id: string,
    opts: { cols: number; rows: number; user?: string },
  ): Promise<TerminalSession>;
  envdRoute(caller: Caller, id: string): Promise<EnvdRoute>;
}
