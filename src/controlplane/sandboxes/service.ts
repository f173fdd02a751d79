import { listSandboxes, recordAudit, setSandboxTimeout, transition } from "../../shared/models/index.js";
import { ApiError } from "../errors.js";
import { createSandbox } from "./create.js";
import { AGENT_TIMEOUT_MS, hostOf, load, loadRunning, type ServiceDeps } from "./deps.js";
import { guardApi } from "./errors.js";
import { execIn, readFileFrom, writeFileTo } from "./io.js";
import { pauseSandbox, stopSandbox } from "./ops.js";
import { openTerminal } from "./terminal.js";
import type { Caller, SandboxService } from "./types.js";
import { toView } from "./view.js";

const actorOf = (c: Caller) => `key:${c.keyId}`;

/**
 * createSandboxService is the real SandboxService: rows in Postgres, placement by the scheduler,
 * VMs through the host agents. Every method throws only ApiError (funnelled by toApiError).
 */
export function createSandboxService(d: ServiceDeps): SandboxService {
  return {
    create: (caller, input, signal) => createSandbox(d, caller, input, signal),

    get: (caller, id) => guardApi(async () => toView(await load(d, caller, id))),

    list: (caller, f) =>
      guardApi(async () => {
        const page = await listSandboxes(d.sql, caller.teamId, {
          ...(f.states ? { states: f.states } : {}),
          ...(f.metadata ? { metadata: f.metadata } : {}),
          limit: f.limit,
          ...(f.cursor ? { cursor: f.cursor } : {}),
        });
        return { items: page.items.map((s) => toView(s)), next_cursor: page.nextCursor };
      }),

    destroy: (caller, id) =>
      guardApi(async () => {
        await stopSandbox(d, await load(d, caller, id), actorOf(caller));
      }),

    pause: (caller, id) =>
      guardApi(async () => toView(await pauseSandbox(d, await load(d, caller, id), actorOf(caller)))),

    resume: (caller, id, timeoutS) =>
      guardApi(async () => {
        const sb = await load(d, caller, id);
        if (sb.state !== "paused") throw new ApiError("conflict", `sandbox ${id} is ${sb.state}, not paused`);
        const host = await hostOf(d, sb);
        const r = await host.client.resume({ id }, { timeoutMs: AGENT_TIMEOUT_MS });
        const endAt = timeoutS ? new Date(Date.now() + timeoutS * 1000) : undefined;
        const running = await transition(d.sql, id, ["paused"], "running", endAt ? { endAt } : {});
        if (!running) throw new ApiError("conflict", `sandbox ${id} changed state while resuming`);
        await recordAudit(d.sql, {
          teamId: caller.teamId,
          actor: actorOf(caller),
          action: "sandbox.resume",
          target: id,
          data: { ready_ms: r.readyMs },
        });
        return toView(running, r.sandbox?.envdVersion || null);
      }),

    setTimeout: (caller, id, timeoutS) =>
      guardApi(async () => {
        const sb = await load(d, caller, id);
        const updated = await setSandboxTimeout(d.sql, caller.teamId, id, timeoutS);
        if (!updated)
          throw new ApiError("conflict", `sandbox ${id} is ${sb.state}: its timeout cannot change`);
        return toView(updated);
      }),

    exec: (caller, id, input, signal) => execIn(d, caller, id, input, signal),

    writeFile: (caller, id, path, body, user) => writeFileTo(d, caller, id, path, body, user),

    readFile: (caller, id, path, user) => readFileFrom(d, caller, id, path, user),

    terminal: (caller, id, opts) => openTerminal(d, caller, id, opts),

    envdRoute: (caller, id) =>
      guardApi(async () => {
        const host = await hostOf(d, await loadRunning(d, caller, id));
        return {
          baseUrl: `${d.clients.baseUrl(host.address)}/sandboxes/${id}/envd`,
          agentToken: d.clients.token,
        };
      }),
  };
}
