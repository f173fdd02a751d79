import { Code, ConnectError } from "@connectrpc/connect";
import {
  recordAudit,
  releaseCapacity,
  type Sandbox,
  sourcesOf,
  transition,
} from "../../shared/models/index.js";
import { ApiError } from "../errors.js";
import { AGENT_TIMEOUT_MS, hostOf, type ServiceDeps } from "./deps.js";

/** resourcesOf is what a sandbox reserved on its host. */
export const resourcesOf = (sb: Sandbox) => ({ vcpus: sb.vcpus, memMib: sb.memMib, diskMib: sb.diskMib });

/** destroyOnHost removes the sandbox's VM and resources from its agent; "not there" counts as done. */
export async function destroyOnHost(d: ServiceDeps, sb: Sandbox): Promise<void> {
  if (!sb.hostId) return;
  const host = await hostOf(d, sb);
  try {
    await host.client.destroy({ id: sb.id }, { timeoutMs: AGENT_TIMEOUT_MS });
  } catch (err) {
    if (!(err instanceof ConnectError && err.code === Code.NotFound)) throw err;
  }
}

/**
 * stopSandbox destroys a sandbox for good: the agent first (so an unreachable host leaves the row as
 * it was, to be retried), then the guarded transition to stopped, then its host reservation is given
 * back (an errored sandbox already gave it back). Returns false when it was already stopped.
 */
export async function stopSandbox(
  d: ServiceDeps,
  sb: Sandbox,
  actor: string,
  data: Record<string, unknown> = {},
): Promise<boolean> {
  if (sb.state === "stopped") return false;
  await destroyOnHost(d, sb);
  const done = await transition(d.sql, sb.id, sourcesOf("stopped"), "stopped");
  if (!done) return false;
  if (sb.hostId && sb.state !== "error") await releaseCapacity(d.sql, sb.hostId, resourcesOf(sb));
  await recordAudit(d.sql, { teamId: sb.teamId, actor, action: "sandbox.destroy", target: sb.id, data });
  return true;
}

/**
 * pauseSandbox snapshots a running sandbox on its host and records it paused. Two pauses at once
 * are serialized by the agent (the loser gets FailedPrecondition → 409) and by the guarded transition.
 */
export async function pauseSandbox(
  d: ServiceDeps,
  sb: Sandbox,
  actor: string,
  data: Record<string, unknown> = {},
): Promise<Sandbox> {
  if (sb.state !== "running") throw new ApiError("conflict", `sandbox ${sb.id} is ${sb.state}, not running`);
  const host = await hostOf(d, sb);
  const r = await host.client.pause({ id: sb.id }, { timeoutMs: AGENT_TIMEOUT_MS });
  const paused = await transition(d.sql, sb.id, ["running"], "paused");
  if (!paused) throw new ApiError("conflict", `sandbox ${sb.id} changed state while pausing`);
  await recordAudit(d.sql, {
    teamId: sb.teamId,
    actor,
    action: "sandbox.pause",
    target: sb.id,
    data: { ...data, snapshot_bytes: Number(r.snapshotBytes) },
  });
  return paused;
}
