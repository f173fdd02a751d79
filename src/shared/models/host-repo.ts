import type { Db } from "../db/index.js";
import { dbCall } from "../db/index.js";
import { type Host, type HostRow, type HostState, type Resources, toHost } from "./host.js";

/** HostRegistration is what an agent announces on start (capacity is the whole host's). */
export interface HostRegistration {
  id: string;
  address: string;
  vcpus: number;
  memMib: number;
  diskMib: number;
  accelerator?: string | null;
  labels?: Record<string, string>;
}

/**
 * registerHost inserts or refreshes a host. A re-registering agent becomes healthy again unless an
 * operator is draining it; its reservations (used*) are kept because it re-adopts its running VMs.
 */
export function registerHost(sql: Db, h: HostRegistration): Promise<Host> {
  return dbCall(async () => {
    const [row] = await sql<HostRow[]>`
      INSERT INTO hosts (id, address, vcpus, mem_mib, disk_mib, accelerator, labels)
      VALUES (${h.id}, ${h.address}, ${h.vcpus}, ${h.memMib}, ${h.diskMib}, ${h.accelerator ?? null},
        ${sql.json(h.labels ?? {})})
      ON CONFLICT (id) DO UPDATE SET
        address = excluded.address, vcpus = excluded.vcpus, mem_mib = excluded.mem_mib,
        disk_mib = excluded.disk_mib, accelerator = excluded.accelerator, labels = excluded.labels,
        last_heartbeat_at = now(),
        state = CASE WHEN hosts.state = 'draining' THEN 'draining' ELSE 'healthy' END
      RETURNING *`;
    if (!row) throw new Error("INSERT … RETURNING gave no row");
    return toHost(row);
  });
}

/**
 * heartbeatHost records that the agent is alive (and how many VMs it runs). An unhealthy host becomes
 * healthy again and its sandboxes lose the host-unreachable flag. null means "unknown host: register".
 */
export function heartbeatHost(
  sql: Db,
  id: string,
  report: { sandboxes?: number } = {},
): Promise<Host | null> {
  return dbCall(async () => {
    const [row] = await sql<HostRow[]>`
      WITH h AS (
        UPDATE hosts SET last_heartbeat_at = now(), sandboxes = coalesce(${report.sandboxes ?? null}::int, sandboxes),
          state = CASE WHEN state = 'unhealthy' THEN 'healthy' ELSE state END
        WHERE id = ${id}
        RETURNING *
      ), cleared AS (
        UPDATE sandboxes SET host_unreachable_at = NULL
        WHERE host_id IN (SELECT id FROM h) AND host_unreachable_at IS NOT NULL
      )
      SELECT * FROM h`;
    return row ? toHost(row) : null;
  });
}

/** StaleHosts is what markStaleHosts changed: the hosts now unhealthy and the sandboxes it flagged. */
export interface StaleHosts {
  hosts: Host[];
  sandboxIds: string[];
}

/**
 * markStaleHosts marks healthy hosts whose last heartbeat is older than `staleAfterS` unhealthy and
 * flags their live sandboxes with host_unreachable_at. The sandboxes keep their state — a partitioned
 * host's VMs may be fine, and its next heartbeat clears the flag; the API shows the flag and the
 * lifecycle manager decides when a flagged sandbox is given up on. One statement, so replicas agree.
 */
export function markStaleHosts(sql: Db, staleAfterS: number): Promise<StaleHosts> {
  return dbCall(async () => {
    const rows = await sql<(HostRow & { flagged: string[] })[]>`
      WITH stale AS (
        UPDATE hosts SET state = 'unhealthy'
        WHERE state = 'healthy' AND last_heartbeat_at < now() - ${staleAfterS}::int * interval '1 second'
        RETURNING *
      ), flagged AS (
        UPDATE sandboxes SET host_unreachable_at = now()
        WHERE host_id IN (SELECT id FROM stale) AND state NOT IN ('stopped', 'error')
          AND host_unreachable_at IS NULL
        RETURNING id, host_id
      )
      SELECT stale.*, coalesce((SELECT array_agg(f.id ORDER BY f.id) FROM flagged f WHERE f.host_id = stale.id),
        '{}') AS flagged
      FROM stale ORDER BY stale.id`;
    return { hosts: rows.map(toHost), sandboxIds: rows.flatMap((r) => r.flagged) };
  });
}

/**
 * hostCandidates lists healthy hosts with room for `need`, least loaded first (most free memory, then
 * most free vCPUs). The scheduler tries them in order with reserveCapacity, which re-checks the fit.
 */
export function hostCandidates(sql: Db, need: Resources, limit = 5): Promise<Host[]> {
  return dbCall(async () => {
    const rows = await sql<HostRow[]>`
      SELECT * FROM hosts
      WHERE state = 'healthy'
        AND vcpus - used_vcpus >= ${need.vcpus}
        AND mem_mib - used_mem_mib >= ${need.memMib}
        AND disk_mib - used_disk_mib >= ${need.diskMib}
      ORDER BY mem_mib - used_mem_mib DESC, vcpus - used_vcpus DESC, id
      LIMIT ${limit}`;
    return rows.map(toHost);
  });
}

/**
 * reserveCapacity adds `need` to a healthy host's usage only if it still fits, atomically, so two
 * replicas placing at once cannot overcommit a host. false: pick the next candidate.
 */
export function reserveCapacity(sql: Db, hostId: string, need: Resources): Promise<boolean> {
  return dbCall(async () => {
    const rows = await sql`
      UPDATE hosts SET used_vcpus = used_vcpus + ${need.vcpus}, used_mem_mib = used_mem_mib + ${need.memMib},
        used_disk_mib = used_disk_mib + ${need.diskMib}
      WHERE id = ${hostId} AND state = 'healthy'
        AND vcpus - used_vcpus >= ${need.vcpus}
        AND mem_mib - used_mem_mib >= ${need.memMib}
        AND disk_mib - used_disk_mib >= ${need.diskMib}
      RETURNING id`;
    return rows.length > 0;
  });
}

/** releaseCapacity gives back a reservation (sandbox stopped, or placement failed); never below zero. */
export function releaseCapacity(sql: Db, hostId: string, used: Resources): Promise<void> {
  return dbCall(async () => {
    await sql`
      UPDATE hosts SET used_vcpus = greatest(0, used_vcpus - ${used.vcpus}),
        used_mem_mib = greatest(0, used_mem_mib - ${used.memMib}),
        used_disk_mib = greatest(0, used_disk_mib - ${used.diskMib})
      WHERE id = ${hostId}`;
  });
}

/** setHostState is the operator's switch (drain a host, or put it back); null for an unknown host. */
export function setHostState(sql: Db, id: string, state: HostState): Promise<Host | null> {
  return dbCall(async () => {
    const [row] = await sql<HostRow[]>`UPDATE hosts SET state = ${state} WHERE id = ${id} RETURNING *`;
    return row ? toHost(row) : null;
  });
}

/** getHost returns one host by id, or null. */
export function getHost(sql: Db, id: string): Promise<Host | null> {
  return dbCall(async () => {
    const [row] = await sql<HostRow[]>`SELECT * FROM hosts WHERE id = ${id}`;
    return row ? toHost(row) : null;
  });
}

/** listHosts returns every host ordered by id (admin pages, SingleHost scheduling). */
export function listHosts(sql: Db): Promise<Host[]> {
  return dbCall(async () => (await sql<HostRow[]>`SELECT * FROM hosts ORDER BY id`).map(toHost));
}
