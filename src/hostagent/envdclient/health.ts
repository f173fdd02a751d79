import { setTimeout as sleep } from "node:timers/promises";
import { EnvdError } from "./errors.js";
import { expectStatus, type RestContext, readBody, restRequest } from "./rest.js";

/** InitRequest is POST /init's body: run-time identity and defaults for a fresh or restored sandbox. */
export interface InitRequest {
  envVars?: Record<string, string>;
  accessToken?: string;
  /** timestamp (RFC 3339) sets the guest clock, which is stale after a snapshot restore. */
  timestamp?: string;
  defaultUser?: string;
  defaultWorkdir?: string;
  hostname?: string;
  /** entropy (base64) is mixed into the guest RNG so clones of one snapshot diverge. */
  entropy?: string;
}

/** WaitHealthyOptions bounds the health wait. */
export interface WaitHealthyOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** attemptTimeoutMs caps one probe (default 1000). */
  attemptTimeoutMs?: number;
}

/** health asks GET /health once; envd answers 204 when it serves. */
export async function health(ctx: RestContext, signal?: AbortSignal): Promise<void> {
  const res = await restRequest(ctx, { method: "GET", path: "/health", signal });
  await expectStatus(res, "GET /health", 204, 200);
  res.resume();
}

/**
 * waitHealthy polls /health until envd answers, with a growing pause between probes (5 → 100 ms)
 * so a just-booted guest is noticed quickly; "timeout" carries the last probe's error.
 */
export async function waitHealthy(ctx: RestContext, opts: WaitHealthyOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let pause = 5;
  let last: unknown;
  for (;;) {
    if (opts.signal?.aborted) throw new EnvdError("aborted", "waiting for envd: aborted", { cause: last });
    const left = deadline - Date.now();
    if (left <= 0) break;
    const attempt = AbortSignal.timeout(Math.min(left, opts.attemptTimeoutMs ?? 1000));
    try {
      await health(ctx, opts.signal ? AbortSignal.any([opts.signal, attempt]) : attempt);
      return;
    } catch (err) {
      last = err;
    }
    await sleep(Math.min(pause, Math.max(0, deadline - Date.now())));
    pause = Math.min(pause * 2, 100);
  }
  const why = last instanceof Error ? last.message : String(last);
  throw new EnvdError("timeout", `envd not healthy after ${opts.timeoutMs} ms (last: ${why})`, {
    cause: last,
  });
}

/** init sends POST /init and returns envd's version from the X-Envd-Version header. */
export async function init(ctx: RestContext, body: InitRequest, signal?: AbortSignal): Promise<string> {
  const res = await restRequest(ctx, {
    method: "POST",
    path: "/init",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
  await expectStatus(res, "POST /init", 204, 200);
  await readBody(res);
  const v = res.headers["x-envd-version"];
  return typeof v === "string" ? v : "";
}

/** envs reads GET /envs: the environment variables envd gives new processes (set via /init). */
export async function envs(ctx: RestContext, signal?: AbortSignal): Promise<Record<string, string>> {
  const res = await restRequest(ctx, { method: "GET", path: "/envs", signal });
  await expectStatus(res, "GET /envs", 200);
  const text = await readBody(res);
  try {
    return JSON.parse(text) as Record<string, string>;
  } catch (err) {
    throw new EnvdError("protocol_error", `GET /envs: not JSON: ${text.slice(0, 200)}`, { cause: err });
  }
}
