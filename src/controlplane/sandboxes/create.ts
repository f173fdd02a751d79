import { randomHex } from "../../shared/id/index.js";
import {
  getSandboxEnv,
  insertSandbox,
  recordAudit,
  releaseCapacity,
  type Sandbox,
  transition,
} from "../../shared/models/index.js";
import { ApiError } from "../errors.js";
import { AGENT_TIMEOUT_MS, type HostRef, hostOf, type ServiceDeps } from "./deps.js";
import { isDefinite, toApiError } from "./errors.js";
import { resourcesOf } from "./ops.js";
import type { Caller, CreateSandbox, SandboxView } from "./types.js";
import { toView } from "./view.js";

const TEMPLATE_RE = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const LIMITS = { vcpus: [1, 64], memMib: [64, 262144], diskMib: [256, 1048576] } as const;

/** checkRange throws bad_request naming the field when a size is outside what a host could run. */
function checkRange(field: string, v: number, [min, max]: readonly [number, number]): void {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new ApiError("bad_request", `${field}: must be a whole number in ${min}–${max}`);
  }
}

/** sizeOf applies the defaults and validates the request's resources. */
function sizeOf(d: ServiceDeps, input: CreateSandbox) {
  const size = {
    vcpus: input.vcpus ?? d.defaults.vcpus,
    memMib: input.memory_mib ?? d.defaults.memMib,
    diskMib: input.disk_mib ?? d.defaults.diskMib,
  };
  checkRange("vcpus", size.vcpus, LIMITS.vcpus);
  checkRange("memory_mib", size.memMib, LIMITS.memMib);
  checkRange("disk_mib", size.diskMib, LIMITS.diskMib);
  return size;
}

/** fail records the create as failed: row → error with the reason, reservation given back. */
async function fail(d: ServiceDeps, sb: Sandbox, reason: string): Promise<void> {
  try {
    const t = await transition(d.sql, sb.id, ["pending", "starting"], "error", {
      error: reason.slice(0, 1000),
    });
    // only the replica whose transition won gives the reservation back (a racing destroy did otherwise)
    if (t && sb.hostId) await releaseCapacity(d.sql, sb.hostId, resourcesOf(sb));
  } catch (err) {
    d.log?.warn("recording a failed create failed", { sandbox: sb.id, error: String(err) });
  }
}

/**
 * createSandbox inserts the row (pending), places it (capacity reserved atomically), marks it
 * starting and asks the agent to create it under the same id (so a retry is idempotent), then marks
 * it running. Any failure leaves the row in `error` with the reason and no host resources: a clear
 * "no" from the agent means it cleaned up; an ambiguous one (timeout, lost connection) gets a Destroy.
 */
export async function createSandbox(
  d: ServiceDeps,
  caller: Caller,
  input: CreateSandbox,
  signal?: AbortSignal,
): Promise<SandboxView> {
  if (!TEMPLATE_RE.test(input.template)) {
    throw new ApiError(
      "bad_request",
      "template: must be 1-64 of [a-z0-9_.-], starting with a letter or digit",
    );
  }
  const size = sizeOf(d, input);
  let sb = await insertSandbox(d.sql, {
    teamId: caller.teamId,
    template: input.template,
    ...size,
    timeoutS: input.timeout_s,
    idleTimeoutS: input.idle_timeout_s ?? null,
    onTimeout: input.on_timeout,
    metadata: input.metadata,
    env: input.env,
    envdAccessToken: randomHex(16),
  }).catch((err: unknown) => {
    throw toApiError(err);
  });
  const actor = `key:${caller.keyId}`;
  let host: HostRef;
  try {
    const placed = await d.scheduler.place(size);
    const starting = await transition(d.sql, sb.id, ["pending"], "starting", { hostId: placed.id });
    if (!starting) {
      await releaseCapacity(d.sql, placed.id, size);
      throw new ApiError("conflict", `sandbox ${sb.id} was destroyed while being created`);
    }
    sb = starting;
    host = await hostOf(d, sb);
  } catch (err) {
    const e = toApiError(err);
    await fail(d, sb, e.message);
    throw e;
  }
  try {
    const env = (await getSandboxEnv(d.sql, caller.teamId, sb.id)) ?? {};
    const r = await host.client.create(
      {
        id: sb.id,
        template: sb.template,
        vcpus: sb.vcpus,
        memoryMib: sb.memMib,
        diskMib: sb.diskMib,
        env,
        metadata: sb.metadata,
        envdAccessToken: sb.envdAccessToken ?? "",
        ...(input.egress
          ? {
              egress: {
                allowCidrs: input.egress.allow_cidrs ?? [],
                denyCidrs: input.egress.deny_cidrs ?? [],
                blockAll: input.egress.block_all ?? false,
              },
            }
          : {}),
      },
      { timeoutMs: AGENT_TIMEOUT_MS, ...(signal ? { signal } : {}) },
    );
    const running = await transition(d.sql, sb.id, ["starting"], "running");
    if (!running) {
      await host.client.destroy({ id: sb.id }, { timeoutMs: AGENT_TIMEOUT_MS }).catch(() => {});
      throw new ApiError("conflict", `sandbox ${sb.id} was destroyed while being created`);
    }
    await recordAudit(d.sql, {
      teamId: caller.teamId,
      actor,
      action: "sandbox.create",
      target: sb.id,
      data: { template: sb.template, host: host.hostId, ready_ms: r.readyMs, start: r.sandbox?.startMethod },
    });
    return toView(running, r.sandbox?.envdVersion || null);
  } catch (err) {
    if (!isDefinite(err)) {
      await host.client.destroy({ id: sb.id }, { timeoutMs: AGENT_TIMEOUT_MS }).catch((e: unknown) => {
        d.log?.warn("cleanup destroy after a failed create failed", { sandbox: sb.id, error: String(e) });
      });
    }
    const e = toApiError(err, "create failed");
    d.log?.warn("sandbox create failed", { sandbox: sb.id, host: host.hostId, error: String(err) });
    await fail(d, sb, e.message);
    throw e;
  }
}
