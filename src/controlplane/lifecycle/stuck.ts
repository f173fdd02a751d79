import type { Db } from "../../shared/db/index.js";
import { dbCall } from "../../shared/db/index.js";
import { recordAudit, releaseCapacity } from "../../shared/models/index.js";
import { AGENT_TIMEOUT_MS, type ServiceDeps } from "../sandboxes/index.js";

/** StuckCreate is a create whose control plane went away (crash, lost database) before finishing. */
interface StuckCreate {
  id: string;
  team_id: string;
  host_id: string | null;
  address: string | null;
  vcpus: number;
  mem_mib: number;
  disk_mib: number;
}

/** STUCK_AFTER_S: a create takes at most the agent timeout; far past it nobody is finishing it. */
export const STUCK_AFTER_S = Math.ceil((AGENT_TIMEOUT_MS * 5) / 1000);

/**
 * claimStuck moves creates stuck in pending/starting for longer than `afterS` to error, in one
 * statement with SKIP LOCKED, so exactly one replica handles each. Their hosts' addresses come along.
 */
function claimStuck(sql: Db, afterS: number, limit: number): Promise<StuckCreate[]> {
  return dbCall(
    () => sql<StuckCreate[]>`
      WITH stuck AS (
        SELECT id FROM sandboxes
        WHERE state IN ('pending', 'starting') AND created_at < now() - ${afterS}::int * interval '1 second'
        ORDER BY created_at LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE sandboxes AS s
      SET state = 'error', error = 'create did not finish (the control plane handling it stopped)',
        stopped_at = now(), lease_owner = NULL, lease_until = NULL
      FROM stuck WHERE s.id = stuck.id
      RETURNING s.id, s.team_id, s.host_id, s.vcpus, s.mem_mib, s.disk_mib,
        (SELECT address FROM hosts h WHERE h.id = s.host_id) AS address`,
  );
}

/**
 * reapStuckCreates gives up on abandoned creates: row → error, the reservation back, and a Destroy
 * to the agent (best effort: it may hold a half-made VM). Returns how many it reaped.
 */
export async function reapStuckCreates(d: ServiceDeps, afterS = STUCK_AFTER_S): Promise<number> {
  const stuck = await claimStuck(d.sql, afterS, 20);
  for (const s of stuck) {
    if (s.host_id) {
      await releaseCapacity(d.sql, s.host_id, { vcpus: s.vcpus, memMib: s.mem_mib, diskMib: s.disk_mib });
    }
    if (s.address) {
      await d.clients
        .get(s.address)
        .destroy({ id: s.id }, { timeoutMs: AGENT_TIMEOUT_MS })
        .catch((err: unknown) =>
          d.log?.warn("destroy of a stuck create failed", { sandbox: s.id, error: String(err) }),
        );
    }
    await recordAudit(d.sql, {
      teamId: s.team_id,
      actor: "system:lifecycle",
      action: "sandbox.create_abandoned",
      target: s.id,
    });
    d.log?.warn("abandoned create marked error", { sandbox: s.id, host: s.host_id });
  }
  return stuck.length;
}
