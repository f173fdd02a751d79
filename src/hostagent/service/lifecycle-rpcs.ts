import type { HandlerContext } from "@connectrpc/connect";
import type {
  CreateRequest,
  DestroyRequest,
  GetRequest,
  PauseRequest,
  ResumeRequest,
} from "../../shared/gen/hostagent/v1/hostagent_pb.js";
import type { SandboxManager } from "../lifecycle/types.js";
import { type CreateDefaults, createInput, eventToProto, sandboxToProto } from "./convert.js";
import { guard } from "./errors.js";

/** lifecycleRpcs are the unary sandbox RPCs plus HostStatus and WatchEvents. */
export function lifecycleRpcs(m: SandboxManager, defaults: CreateDefaults) {
  return {
    create: (req: CreateRequest, ctx: HandlerContext) =>
      guard(async () => {
        const { sandbox, readyMs } = await m.create(createInput(req, defaults), ctx.signal);
        return { sandbox: sandboxToProto(sandbox), readyMs };
      }),
    get: (req: GetRequest) => guard(async () => ({ sandbox: sandboxToProto(m.get(req.id)) })),
    list: () => guard(async () => ({ sandboxes: m.list().map(sandboxToProto) })),
    destroy: (req: DestroyRequest) =>
      guard(async () => {
        await m.destroy(req.id);
        return {};
      }),
    pause: (req: PauseRequest) =>
      guard(async () => {
        const { sandbox, snapshotBytes } = await m.pause(req.id);
        return { sandbox: sandboxToProto(sandbox), snapshotBytes: BigInt(snapshotBytes) };
      }),
    resume: (req: ResumeRequest) =>
      guard(async () => {
        const { sandbox, readyMs } = await m.resume(req.id);
        return { sandbox: sandboxToProto(sandbox), readyMs };
      }),
    hostStatus: () =>
      guard(async () => {
        const s = await m.status();
        return {
          hostId: s.hostId,
          vcpus: s.vcpus,
          memoryMib: BigInt(s.memMiB),
          diskMib: BigInt(s.diskMiB),
          usedVcpus: s.usedVcpus,
          usedMemoryMib: BigInt(s.usedMemMiB),
          usedDiskMib: BigInt(s.usedDiskMiB),
          sandboxes: s.sandboxes,
          accelerator: s.accelerator,
          acceleratorReason: s.acceleratorReason,
          vmm: s.vmm,
          versions: s.versions,
          templates: s.templates,
          draining: s.draining,
        };
      }),
    async *watchEvents(_req: unknown, ctx: HandlerContext) {
      for await (const e of m.events(ctx.signal)) yield eventToProto(e);
    },
  };
}
