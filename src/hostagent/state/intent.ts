import { StateError } from "./errors.js";

/** IntentOp names the multi-step operation in flight; only creates need crash cleanup so far. */
export type IntentOp = "create";

/**
 * IntentRecord marks an operation that creates machine resources. It is written before the first
 * resource exists and removed after the sandbox record is committed, so one left on disk means the
 * agent died mid-way; `resources` names what may exist (netns, disk path, cgroup, VMM pid).
 */
export interface IntentRecord {
  version: 1;
  id: string;
  op: IntentOp;
  startedAt: string;
  /** agentPid is the host agent that wrote the intent (diagnostics only; pids are reused). */
  agentPid: number;
  resources: Record<string, string | number>;
  [extra: string]: unknown;
}

/** parseIntent validates an intent file's content, keeping unknown fields. */
export function parseIntent(value: unknown): IntentRecord {
  const v = value as Partial<IntentRecord> | null;
  const ok =
    typeof v === "object" &&
    v !== null &&
    v.version === 1 &&
    typeof v.id === "string" &&
    v.op === "create" &&
    typeof v.startedAt === "string" &&
    Number.isInteger(v.agentPid) &&
    typeof v.resources === "object" &&
    v.resources !== null &&
    Object.values(v.resources).every((r) => typeof r === "string" || typeof r === "number");
  if (!ok) throw new StateError("invalid_record", "malformed intent");
  return v as IntentRecord;
}

/** newIntent builds a create intent for `id` owned by this process. */
export function newIntent(id: string, resources: IntentRecord["resources"] = {}): IntentRecord {
  return {
    version: 1,
    id,
    op: "create",
    startedAt: new Date().toISOString(),
    agentPid: process.pid,
    resources,
  };
}
