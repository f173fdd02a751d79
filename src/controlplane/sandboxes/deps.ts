import { type Db, dbCall } from "../../shared/db/index.js";
import { isSandboxId } from "../../shared/id/index.js";
import { getHost, getSandbox, type Sandbox } from "../../shared/models/index.js";
import { ApiError } from "../errors.js";
import type { AgentClient, AgentClients } from "../hosts/index.js";
import type { Scheduler } from "../scheduler/index.js";
import type { Caller } from "./types.js";

/** ServiceLogger receives what operators need and clients must not see (causes of failures). */
export interface ServiceLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

/** ServiceDeps is everything the sandbox service and the lifecycle loop act through. */
export interface ServiceDeps {
  sql: Db;
  scheduler: Scheduler;
  clients: AgentClients;
  /** defaults size a sandbox whose create request leaves vcpus/memory/disk out. */
  defaults: { vcpus: number; memMib: number; diskMib: number };
  log?: ServiceLogger;
}

/**
 * AGENT_TIMEOUT_MS bounds agent calls that start or snapshot VMs (a template build under TCG takes
 * seconds, never minutes), so a hung agent turns into a clean error instead of a request that never ends.
 */
export const AGENT_TIMEOUT_MS = 120_000;

/** HostRef is the agent that runs a sandbox. */
export interface HostRef {
  hostId: string;
  address: string;
  client: AgentClient;
}

/** hostOf finds the agent of a placed sandbox; a sandbox without a host (or a vanished host) is a 503. */
export async function hostOf(d: ServiceDeps, sb: Sandbox): Promise<HostRef> {
  if (!sb.hostId) throw new ApiError("conflict", `sandbox ${sb.id} is ${sb.state} and has no host`);
  const host = await getHost(d.sql, sb.hostId);
  if (!host) throw new ApiError("unavailable", `host ${sb.hostId} of sandbox ${sb.id} is not registered`);
  return { hostId: host.id, address: host.address, client: d.clients.get(host.address) };
}

/** load returns the caller's sandbox or throws not_found (junk ids never reach the database). */
export async function load(d: ServiceDeps, caller: Caller, id: string): Promise<Sandbox> {
  if (!isSandboxId(id)) throw new ApiError("not_found", `sandbox ${id} not found`);
  const sb = await getSandbox(d.sql, caller.teamId, id);
  if (!sb) throw new ApiError("not_found", `sandbox ${id} not found`);
  return sb;
}

/** loadRunning is load plus "it must be running" (409 otherwise), for exec, files and terminals. */
export async function loadRunning(d: ServiceDeps, caller: Caller, id: string): Promise<Sandbox> {
  const sb = await load(d, caller, id);
  if (sb.state !== "running") throw new ApiError("conflict", `sandbox ${id} is ${sb.state}, not running`);
  return sb;
}

/**
 * publicEnvdRoute finds where a sandbox's envd pass-through goes without a team (the E2B SDK's envd
 * calls carry only the sandbox's own X-Access-Token, which envd checks). Only running sandboxes route.
 */
export async function publicEnvdRoute(
  d: ServiceDeps,
  id: string,
): Promise<{ baseUrl: string; agentToken: string }> {
  if (!isSandboxId(id)) throw new ApiError("not_found", `sandbox ${id} not found`);
  const [row] = await dbCall(
    () => d.sql<{ state: string; address: string | null }[]>`
      SELECT s.state, h.address FROM sandboxes s LEFT JOIN hosts h ON h.id = s.host_id WHERE s.id = ${id}`,
  );
  if (!row) throw new ApiError("not_found", `sandbox ${id} not found`);
  if (row.state !== "running" || !row.address) {
    throw new ApiError("conflict", `sandbox ${id} is ${row.state}, not running`);
  }
  return { baseUrl: `${d.clients.baseUrl(row.address)}/sandboxes/${id}/envd`, agentToken: d.clients.token };
}
