import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { ApiError } from "../../errors.js";
import type {
  Caller,
  CreateSandbox,
  EnvdRoute,
  ExecEvent,
  ExecInput,
  ListSandboxes,
  SandboxService,
  SandboxView,
  TerminalSession,
} from "../../sandboxes/types.js";
import { runFakeShell } from "./fake-shell.js";
import { fakeTerminal } from "./fake-terminal.js";

/** MemoryHooks let tests observe and pace the double's streams. */
export interface MemoryHooks {
  /** onWriteChunk is called for every chunk writeFile receives, as it arrives. */
  onWriteChunk?: (bytesSoFar: number) => void;
  /** readGate, when set, is awaited by readFile's stream after its first chunk. */
  readGate?: Promise<void>;
  /** onExecEnd hears how each exec ended: aborted (client gone) or ran to its exit event. */
  onExecEnd?: (aborted: boolean) => void;
  /** lastResize records the terminal's most recent size. */
  lastResize?: { cols: number; rows: number };
}

interface Entry {
  teamId: string;
  view: SandboxView;
  files: Map<string, Buffer[]>;
}

/**
 * MemorySandboxService is a TEST DOUBLE of SandboxService for the API's tests: no VMs, no database.
 * It keeps the contract's observable rules — team scoping (another team's sandbox is not_found), state
 * conflicts, capacity (503 no_capacity with Retry-After) — so the HTTP layer can be tested on its own.
 * The real service is exercised by the control plane's end-to-end tests.
 */
export class MemorySandboxService implements SandboxService {
  readonly hooks: MemoryHooks = {};
  private readonly boxes = new Map<string, Entry>();
  private seq = 0;

  constructor(
    private readonly opts: {
      capacityVcpus?: number;
      envdBaseUrl?: string;
      envdRoute?: (id: string) => EnvdRoute;
    } = {},
  ) {}

  private entry(caller: Caller, id: string): Entry {
    const e = this.boxes.get(id);
    if (!e || e.teamId !== caller.teamId || e.view.state === "stopped")
      throw new ApiError("not_found", `sandbox ${id} not found`);
    return e;
  }

  private running(caller: Caller, id: string): Entry {
    const e = this.entry(caller, id);
    if (e.view.state !== "running") throw new ApiError("conflict", `sandbox ${id} is ${e.view.state}`);
    return e;
  }

  async create(caller: Caller, input: CreateSandbox): Promise<SandboxView> {
    const vcpus = input.vcpus ?? 1;
    const used = [...this.boxes.values()]
      .filter((e) => e.view.state === "running")
      .reduce((n, e) => n + e.view.vcpus, 0);
    const capacity = this.opts.capacityVcpus ?? 8;
    if (used + vcpus > capacity) {
      throw new ApiError("no_capacity", `no host has ${vcpus} free vCPUs (${capacity - used} free)`, {
        retryAfterS: 10,
      });
    }
    const now = new Date();
    const id = `sb-${(++this.seq).toString(16).padStart(8, "0")}`;
    const view: SandboxView = {
      id,
      template: input.template,
      state: "running",
      vcpus,
      memory_mib: input.memory_mib ?? 512,
      disk_mib: input.disk_mib ?? 2048,
      metadata: input.metadata,
      timeout_s: input.timeout_s,
      idle_timeout_s: input.idle_timeout_s ?? null,
      on_timeout: input.on_timeout,
      host_id: "host-test",
      envd_access_token: randomBytes(16).toString("hex"),
      envd_version: "0.5.7",
      created_at: now.toISOString(),
      started_at: now.toISOString(),
      paused_at: null,
      end_at: new Date(now.getTime() + input.timeout_s * 1000).toISOString(),
      error: null,
    };
    this.boxes.set(id, { teamId: caller.teamId, view, files: new Map() });
    return { ...view };
  }

  async get(caller: Caller, id: string): Promise<SandboxView> {
    return { ...this.entry(caller, id).view };
  }

  async list(
    caller: Caller,
    f: ListSandboxes,
  ): Promise<{ items: SandboxView[]; next_cursor: string | null }> {
    const all = [...this.boxes.values()]
      .filter((e) => e.teamId === caller.teamId && e.view.state !== "stopped")
      .map((e) => e.view)
      .filter((v) => !f.states || f.states.includes(v.state))
      .filter((v) => Object.entries(f.metadata ?? {}).every(([k, val]) => v.metadata[k] === val))
      .sort((a, b) => a.id.localeCompare(b.id))
      .filter((v) => !f.cursor || v.id > f.cursor);
    const items = all.slice(0, f.limit).map((v) => ({ ...v }));
    const last = items[items.length - 1];
    return { items, next_cursor: all.length > f.limit && last ? last.id : null };
  }

  async destroy(caller: Caller, id: string): Promise<void> {
    this.entry(caller, id).view.state = "stopped";
  }

  async pause(caller: Caller, id: string): Promise<SandboxView> {
    const e = this.running(caller, id);
    Object.assign(e.view, { state: "paused", paused_at: new Date().toISOString() });
    return { ...e.view };
  }

  async resume(caller: Caller, id: string, timeoutS?: number): Promise<SandboxView> {
    const e = this.entry(caller, id);
    if (e.view.state !== "paused") throw new ApiError("conflict", `sandbox ${id} is ${e.view.state}`);
    const t = timeoutS ?? e.view.timeout_s;
    Object.assign(e.view, { state: "running", paused_at: null, timeout_s: t });
    e.view.end_at = new Date(Date.now() + t * 1000).toISOString();
    return { ...e.view };
  }

  async setTimeout(caller: Caller, id: string, timeoutS: number): Promise<SandboxView> {
    const e = this.running(caller, id);
    e.view.end_at = new Date(Date.now() + timeoutS * 1000).toISOString();
    return { ...e.view };
  }

  async *exec(caller: Caller, id: string, input: ExecInput, signal: AbortSignal): AsyncIterable<ExecEvent> {
    this.running(caller, id);
    try {
      for (const ev of runFakeShell(input, 100 + this.seq)) {
        if (signal.aborted) return;
        yield ev;
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.hooks.onExecEnd?.(signal.aborted);
    }
  }

  async writeFile(caller: Caller, id: string, path: string, body: Readable): Promise<{ bytes: number }> {
    const e = this.running(caller, id);
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of body) {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      chunks.push(b);
      bytes += b.byteLength;
      this.hooks.onWriteChunk?.(bytes);
    }
    e.files.set(path, chunks);
    return { bytes };
  }

  async readFile(caller: Caller, id: string, path: string): Promise<{ size?: number; body: Readable }> {
    const chunks = this.running(caller, id).files.get(path);
    if (!chunks) throw new ApiError("not_found", `no such file: ${path}`);
    const gate = this.hooks.readGate;
    async function* paced(): AsyncGenerator<Buffer> {
      let first = true;
      for (const c of chunks ?? []) {
        yield c;
        if (first && gate) await gate;
        first = false;
      }
    }
    return { size: chunks.reduce((n, c) => n + c.byteLength, 0), body: Readable.from(paced()) };
  }

  async terminal(caller: Caller, id: string, opts: { cols: number; rows: number }): Promise<TerminalSession> {
    this.running(caller, id);
    return fakeTerminal(opts, this.hooks);
  }

  async envdRoute(caller: Caller, id: string): Promise<EnvdRoute> {
    this.running(caller, id);
    if (this.opts.envdRoute) return this.opts.envdRoute(id);
    const base = this.opts.envdBaseUrl ?? "http://127.0.0.1:9/unset";
    return { baseUrl: `${base}/sandboxes/${id}/envd`, agentToken: "agent-token-test" };
  }
}
