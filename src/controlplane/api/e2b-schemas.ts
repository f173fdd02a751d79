import { z } from "zod";

// e2b-schemas validates the request bodies of the E2B-compatible control-plane routes. They are loose
// objects: the SDK sends fields we do not implement (mcp, network, volumeMounts…) and must not fail.

const timeout = z.int().min(1).max(86_400);

/** E2bCreateBody is POST /sandboxes (E2B NewSandbox). */
export const E2bCreateBody = z.looseObject({
  templateID: z.string().min(1).max(128),
  timeout: timeout.default(300),
  metadata: z.record(z.string(), z.string()).nullish(),
  envVars: z.record(z.string(), z.string()).nullish(),
  secure: z.boolean().optional(),
  allow_internet_access: z.boolean().optional(),
  autoPause: z.boolean().optional(),
});

/** E2bConnectBody is POST /sandboxes/{id}/connect (current SDKs may omit timeout). */
export const E2bConnectBody = z.looseObject({ timeout: timeout.optional(), memory: z.boolean().optional() });

/** E2bResumeBody is the older POST /sandboxes/{id}/resume. */
export const E2bResumeBody = z.looseObject({
  timeout: timeout.optional(),
  autoPause: z.boolean().optional(),
});

/** E2bTimeoutBody is POST /sandboxes/{id}/timeout. */
export const E2bTimeoutBody = z.looseObject({ timeout });

/** E2bPauseBody is POST /sandboxes/{id}/pause (memory snapshots are what we always take). */
export const E2bPauseBody = z.looseObject({ memory: z.boolean().optional() });

/** E2bListQuery is GET /v2/sandboxes; `metadata` (k=v&k2=v2) is read by metadataFilter. */
export const E2bListQuery = z.object({
  state: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(",").map((x) => x.trim()) : undefined))
    .pipe(z.array(z.enum(["running", "paused"])).optional()),
  limit: z.coerce.number().int().min(1).max(100).default(100),
  nextToken: z.string().max(512).optional(),
  metadata: z.string().optional(),
});
