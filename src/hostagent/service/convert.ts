import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { z } from "zod";
import {
  type CreateRequest,
  type Sandbox,
  SandboxSchema,
  SandboxState,
  type WatchEventsResponse,
  WatchEventsResponseSchema,
} from "../../shared/gen/hostagent/v1/hostagent_pb.js";
import { SandboxError } from "../lifecycle/errors.js";
import type { CreateSandboxInput, SandboxEvent, SandboxInfo, SandboxStateName } from "../lifecycle/types.js";

const stateToProto: Record<SandboxStateName, SandboxState> = {
  pending: SandboxState.PENDING,
  starting: SandboxState.STARTING,
  running: SandboxState.RUNNING,
  paused: SandboxState.PAUSED,
  hibernated: SandboxState.HIBERNATED,
  stopped: SandboxState.STOPPED,
  error: SandboxState.ERROR,
};

/** sandboxToProto renders a SandboxInfo as the wire message. */
export function sandboxToProto(s: SandboxInfo): Sandbox {
  return create(SandboxSchema, {
    id: s.id,
    template: s.template,
    state: stateToProto[s.state],
    vcpus: s.vcpus,
    memoryMib: s.memMiB,
    diskMib: s.diskMiB,
    metadata: s.metadata,
    guestIp: s.sandboxIp,
    envdVersion: s.envdVersion,
    createdAt: timestampFromDate(s.createdAt),
    startedAt: timestampFromDate(s.startedAt),
    pausedAt: s.pausedAt ? timestampFromDate(s.pausedAt) : undefined,
    error: s.error ?? "",
    startMethod: s.startMethod,
    egress: s.egress,
  });
}

/** eventToProto renders a SandboxEvent as the wire message. */
export function eventToProto(e: SandboxEvent): WatchEventsResponse {
  const event: MessageInitShape<typeof WatchEventsResponseSchema>["event"] =
    e.kind === "state"
      ? {
          case: "stateChanged" as const,
          value: { from: stateToProto[e.from], to: stateToProto[e.to], reason: e.reason },
        }
      : e.kind === "exited"
        ? { case: "exited" as const, value: { reason: e.reason } }
        : { case: "oomKilled" as const, value: {} };
  return create(WatchEventsResponseSchema, { sandboxId: e.sandboxId, at: timestampFromDate(e.at), event });
}

const sandboxId = z
  .string()
  .regex(/^sb-[0-9a-f]{8,32}$/, "must be sb- followed by 8-32 lowercase hex digits");
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "invalid environment variable name");

/** createSchema validates a CreateRequest; zero resource numbers mean "host default". */
const createSchema = z.object({
  id: sandboxId,
  template: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "invalid template name"),
  vcpus: z.number().int().min(0).max(64),
  memoryMib: z.number().int().min(0).max(262144),
  diskMib: z.number().int().min(0).max(1048576),
  env: z.record(envName, z.string().max(65536)),
  metadata: z.record(z.string().min(1).max(256), z.string().max(4096)),
  envdAccessToken: z.string().max(512),
  coldBoot: z.boolean(),
});

/** Defaults fill unset resource numbers. */
export interface CreateDefaults {
  vcpus: number;
  memMiB: number;
  diskMiB: number;
}

/** createInput validates a CreateRequest (throws invalid_argument naming the field) and applies defaults. */
export function createInput(req: CreateRequest, d: CreateDefaults): CreateSandboxInput {
  const parsed = createSchema.safeParse(req);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || "request";
    throw new SandboxError("invalid_argument", `${field}: ${issue?.message ?? "invalid"}`);
  }
  const r = parsed.data;
  return {
    id: r.id,
    template: r.template,
    vcpus: r.vcpus || d.vcpus,
    memMiB: r.memoryMib || d.memMiB,
    diskMiB: r.diskMib || d.diskMiB,
    env: r.env,
    metadata: r.metadata,
    egress: {
      allowCidrs: req.egress?.allowCidrs ?? [],
      denyCidrs: req.egress?.denyCidrs ?? [],
      blockAll: req.egress?.blockAll ?? false,
    },
    envdAccessToken: r.envdAccessToken,
    coldBoot: r.coldBoot,
  };
}
