import type { Sandbox } from "../../shared/models/index.js";
import type { SandboxView } from "./types.js";

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** toView maps a row to the public JSON shape (env and the agent token never appear). */
export function toView(s: Sandbox, envdVersion: string | null = null): SandboxView {
  return {
    id: s.id,
    template: s.template,
    state: s.state,
    vcpus: s.vcpus,
    memory_mib: s.memMib,
    disk_mib: s.diskMib,
    metadata: s.metadata,
    timeout_s: s.timeoutS,
    idle_timeout_s: s.idleTimeoutS,
    on_timeout: s.onTimeout,
    host_id: s.hostId,
    envd_access_token: s.envdAccessToken,
    envd_version: envdVersion,
    created_at: s.createdAt.toISOString(),
    started_at: iso(s.startedAt),
    paused_at: iso(s.pausedAt),
    end_at: iso(s.endAt),
    error: s.error,
  };
}
