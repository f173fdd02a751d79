import type { ServiceImpl } from "@connectrpc/connect";
import type { HostAgent } from "../../shared/gen/hostagent/v1/hostagent_pb.js";
import type { SandboxManager } from "../lifecycle/types.js";
import type { CreateDefaults } from "./convert.js";
import { exec } from "./exec.js";
import { readFile, writeFile } from "./files.js";
import { lifecycleRpcs } from "./lifecycle-rpcs.js";
import { terminal } from "./terminal.js";

/** hostAgentService implements hostagent.v1.HostAgent on top of a SandboxManager. */
export function hostAgentService(m: SandboxManager, defaults: CreateDefaults): ServiceImpl<typeof HostAgent> {
  return {
    ...lifecycleRpcs(m, defaults),
    exec: (req, ctx) => exec(m, req, ctx),
    readFile: (req, ctx) => readFile(m, req, ctx),
    writeFile: (reqs, ctx) => writeFile(m, reqs, ctx),
    terminal: (reqs, ctx) => terminal(m, reqs, ctx),
  };
}
