import type { Db } from "../../shared/db/index.js";
import {
  type Host,
  hostCandidates,
  listHosts,
  type Resources,
  reserveCapacity,
} from "../../shared/models/index.js";
import { ApiError } from "../errors.js";

/**
 * Scheduler picks a host for a new sandbox and reserves its resources there atomically, so two
 * replicas placing at once never overcommit a host. It throws ApiError no_capacity with the reason.
 */
export interface Scheduler {
  place(need: Resources): Promise<Host>;
}

/** describeNeed renders a request for an error message: "512 MiB memory, 1 vCPU and 1024 MiB disk". */
function describeNeed(n: Resources): string {
  return `${n.memMib} MiB memory, ${n.vcpus} vCPU${n.vcpus === 1 ? "" : "s"} and ${n.diskMib} MiB disk`;
}

/** noCapacity explains why nothing fits, naming the case operators most need to tell apart. */
async function noCapacity(sql: Db, need: Resources): Promise<ApiError> {
  const hosts = await listHosts(sql);
  if (hosts.length === 0) return new ApiError("no_capacity", "no host agent is registered");
  if (!hosts.some((h) => h.state === "healthy")) return new ApiError("no_capacity", "no healthy host");
  return new ApiError("no_capacity", `no healthy host has ${describeNeed(need)} free`);
}

/**
 * createLeastLoaded spreads sandboxes: candidates come ordered by free memory, then free vCPUs
 * (unhealthy and draining hosts excluded in SQL); each is tried with reserveCapacity, which re-checks
 * the fit, so losing a race to another replica just moves on to the next candidate.
 */
export function createLeastLoaded(sql: Db): Scheduler {
  return {
    async place(need) {
      for (let round = 0; round < 3; round++) {
        const candidates = await hostCandidates(sql, need, 5);
        if (candidates.length === 0) break;
        for (const h of candidates) if (await reserveCapacity(sql, h.id, need)) return h;
      }
      throw await noCapacity(sql, need);
    },
  };
}

/**
 * createSingleHost places everything on one host (single-node mode): `hostId`, or the only healthy
 * host when unset. It still reserves capacity so the host is never overcommitted.
 */
export function createSingleHost(sql: Db, hostId?: string): Scheduler {
  return {
    async place(need) {
      const hosts = await listHosts(sql);
      const host = hosts.find((h) => (hostId ? h.id === hostId : h.state === "healthy"));
      if (host && host.state === "healthy" && (await reserveCapacity(sql, host.id, need))) return host;
      throw await noCapacity(sql, need);
    },
  };
}
