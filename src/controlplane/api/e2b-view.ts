import { z } from "zod";
import type { SandboxView } from "../sandboxes/types.js";
import type { E2bCompatOptions } from "./deps.js";

// e2b-view maps Wrenn's SandboxView to the JSON shapes of E2B's control-plane API (reference §4).

/** DEFAULT_ENVD_VERSION is what we report when a sandbox has no recorded envd version. */
export const DEFAULT_ENVD_VERSION = "0.5.7";

/** E2bSandboxSchema is E2B's `Sandbox` (create/connect/resume response). */
export const E2bSandboxSchema = z.object({
  sandboxID: z.string(),
  templateID: z.string(),
  clientID: z.string(),
  envdVersion: z.string(),
  envdAccessToken: z.string().optional(),
  domain: z.string().nullable(),
  alias: z.string().optional(),
});

/** E2bListedSandboxSchema is E2B's `ListedSandbox` (GET /v2/sandboxes items). */
export const E2bListedSandboxSchema = z.object({
  sandboxID: z.string(),
  templateID: z.string(),
  clientID: z.string(),
  startedAt: z.string(),
  endAt: z.string(),
  cpuCount: z.int(),
  memoryMB: z.int(),
  diskSizeMB: z.int(),
  state: z.enum(["running", "paused"]),
  envdVersion: z.string(),
  metadata: z.record(z.string(), z.string()),
});

/** E2bSandboxDetailSchema is E2B's `SandboxDetail` (GET /sandboxes/{id}). */
export const E2bSandboxDetailSchema = E2bListedSandboxSchema.extend({
  envdAccessToken: z.string().optional(),
  domain: z.string().nullable(),
  allowInternetAccess: z.boolean().optional(),
  lifecycle: z.object({ onTimeout: z.enum(["kill", "pause"]), autoResume: z.boolean() }),
});

/** E2bErrorSchema is E2B's error JSON. */
export const E2bErrorSchema = z.object({ code: z.int(), message: z.string() });

type E2bSandbox = z.infer<typeof E2bSandboxSchema>;
type E2bListed = z.infer<typeof E2bListedSandboxSchema>;
type E2bDetail = z.infer<typeof E2bSandboxDetailSchema>;

const CLIENT_ID = "wrenn";

/** toE2bSandbox is the create/connect response. */
export function toE2bSandbox(v: SandboxView, opts: E2bCompatOptions = {}): E2bSandbox {
  return {
    sandboxID: v.id,
    templateID: v.template,
    clientID: v.host_id ?? CLIENT_ID,
    envdVersion: v.envd_version ?? opts.envdVersion ?? DEFAULT_ENVD_VERSION,
    ...(v.envd_access_token ? { envdAccessToken: v.envd_access_token } : {}),
    domain: opts.domain ?? null,
  };
}

/** toE2bListed maps one list item; only running and paused sandboxes have an E2B state. */
export function toE2bListed(v: SandboxView, opts: E2bCompatOptions = {}): E2bListed {
  const started = v.started_at ?? v.created_at;
  return {
    sandboxID: v.id,
    templateID: v.template,
    clientID: v.host_id ?? CLIENT_ID,
    startedAt: started,
    endAt: v.end_at ?? started,
    cpuCount: v.vcpus,
    memoryMB: v.memory_mib,
    diskSizeMB: v.disk_mib,
    state: v.state === "paused" || v.state === "hibernated" ? "paused" : "running",
    envdVersion: v.envd_version ?? opts.envdVersion ?? DEFAULT_ENVD_VERSION,
    metadata: v.metadata,
  };
}

/** toE2bDetail is GET /sandboxes/{id}. */
export function toE2bDetail(v: SandboxView, opts: E2bCompatOptions = {}): E2bDetail {
  return {
    ...toE2bListed(v, opts),
    ...(v.envd_access_token ? { envdAccessToken: v.envd_access_token } : {}),
    domain: opts.domain ?? null,
    lifecycle: { onTimeout: v.on_timeout === "pause" ? "pause" : "kill", autoResume: false },
  };
}
