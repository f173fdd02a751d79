import { z } from "zod";
import { SANDBOX_STATES, type SandboxState } from "../../shared/models/index.js";

// schemas holds the zod schemas of the /v1 API: they validate requests and generate /openapi.json.

/** State is a sandbox state name. */
const State = z.enum(SANDBOX_STATES as unknown as [SandboxState, ...SandboxState[]]);

const stringMap = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/, "bad key"),
  z.string().max(4096),
);

/** CreateSandboxBody is POST /v1/sandboxes. */
export const CreateSandboxBody = z.strictObject({
  template: z.string().min(1).max(128),
  vcpus: z.int().min(1).max(64).optional(),
  memory_mib: z.int().min(64).max(262_144).optional(),
  disk_mib: z.int().min(256).max(1_048_576).optional(),
  timeout_s: z.int().min(1).max(86_400).default(300),
  idle_timeout_s: z.int().min(1).max(86_400).optional(),
  on_timeout: z.enum(["pause", "destroy"]).default("destroy"),
  env: stringMap.default({}),
  metadata: stringMap.default({}),
  egress: z
    .strictObject({
      allow_cidrs: z.array(z.string()).max(256).optional(),
      deny_cidrs: z.array(z.string()).max(256).optional(),
      block_all: z.boolean().optional(),
    })
    .optional(),
});

/** SandboxViewSchema documents the SandboxView response. */
export const SandboxViewSchema = z.object({
  id: z.string(),
  template: z.string(),
  state: State,
  vcpus: z.int(),
  memory_mib: z.int(),
  disk_mib: z.int(),
  metadata: z.record(z.string(), z.string()),
  timeout_s: z.int(),
  idle_timeout_s: z.int().nullable(),
  on_timeout: z.enum(["pause", "destroy"]),
  host_id: z.string().nullable(),
  envd_access_token: z.string().nullable(),
  envd_version: z.string().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  paused_at: z.string().nullable(),
  end_at: z.string().nullable(),
  error: z.string().nullable(),
});

/** ListQuery is GET /v1/sandboxes; metadata filters are read separately (two accepted forms). */
export const ListQuery = z.object({
  state: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(",").map((x) => x.trim()) : undefined))
    .pipe(z.array(State).optional()),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(512).optional(),
});

/** SandboxPageSchema is the list response. */
export const SandboxPageSchema = z.object({
  items: z.array(SandboxViewSchema),
  next_cursor: z.string().nullable(),
});

/** TimeoutBody is POST /v1/sandboxes/{id}/timeout and the optional body of …/resume. */
export const TimeoutBody = z.strictObject({ timeout_s: z.int().min(1).max(86_400) });

/** ResumeBody is POST /v1/sandboxes/{id}/resume. */
export const ResumeBody = z.strictObject({ timeout_s: z.int().min(1).max(86_400).optional() });

/** ExecBody is POST /v1/sandboxes/{id}/exec; without args (and shell not false) cmd runs via bash -lc. */
export const ExecBody = z.strictObject({
  cmd: z.string().min(1).max(131_072),
  args: z.array(z.string().max(131_072)).max(4096).optional(),
  shell: z.boolean().optional(),
  env: stringMap.default({}),
  cwd: z.string().max(4096).optional(),
  user: z.string().max(64).optional(),
  timeout_s: z.int().min(1).max(86_400).default(60),
  stdin: z.base64().max(699_052, "at most 512 KiB decoded").optional(),
});

/** ExecResultSchema is the JSON (non-streamed) exec result. */
export const ExecResultSchema = z.object({
  exit_code: z.int(),
  status: z.string(),
  error: z.string(),
  duration_ms: z.int(),
  stdout: z.string().describe("UTF-8 text; invalid sequences become U+FFFD (see stdout_b64)"),
  stderr: z.string(),
  stdout_b64: z.string().optional().describe("present only when stdout was not valid UTF-8: the exact bytes"),
  stderr_b64: z.string().optional(),
  truncated: z.boolean().describe("true when output beyond the server's cap was dropped"),
});

/** FileQuery is PUT /v1/sandboxes/{id}/files. */
export const FileQuery = z.object({
  path: z.string().min(1).max(4096),
  user: z.string().max(64).optional(),
});

/** FileReadQuery is the optional query of GET /v1/sandboxes/{id}/files/{path}. */
export const FileReadQuery = z.object({ user: z.string().max(64).optional() });

/** FileWrittenSchema is the upload response. */
export const FileWrittenSchema = z.object({ path: z.string(), bytes: z.int() });

/** TerminalQuery is WS /v1/sandboxes/{id}/terminal. */
export const TerminalQuery = z.object({
  cols: z.coerce.number().int().min(1).max(1000).default(80),
  rows: z.coerce.number().int().min(1).max(1000).default(24),
  user: z.string().max(64).optional(),
  api_key: z.string().optional(),
});

/** ResizeMessage is the one text frame the terminal accepts. */
export const ResizeMessage = z.object({
  type: z.literal("resize"),
  cols: z.int().min(1).max(1000),
  rows: z.int().min(1).max(1000),
});

/** ErrorSchema is every /v1 error. */
export const ErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

/** HealthSchema is GET /health. */
export const HealthSchema = z.object({ status: z.enum(["ok", "unavailable"]), database: z.boolean() });
