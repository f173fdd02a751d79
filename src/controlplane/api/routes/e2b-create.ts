import type { Hono } from "hono";
import type { SandboxState } from "../../../shared/models/index.js";
import { ApiError } from "../../errors.js";
import type { ApiDeps, ApiEnv } from "../deps.js";
import { E2bConnectBody, E2bCreateBody } from "../e2b-schemas.js";
import { E2bErrorSchema, E2bSandboxSchema, toE2bSandbox } from "../e2b-view.js";
import type { OpenApiRegistry, RouteContext } from "../openapi/registry.js";
import { readJson } from "../validate.js";

const TAGS = ["e2b-compat"];
const ERR = { description: "E2B error", schema: E2bErrorSchema };
const PAUSED: readonly SandboxState[] = ["paused", "hibernated"];

/**
 * e2bCreateRoutes registers E2B's create and connect, each under the path older SDKs use (/sandboxes…)
 * and the one current SDKs use (/v2/sandboxes…, e.g. e2b 2.x).
 */
export function e2bCreateRoutes(app: Hono<ApiEnv>, reg: OpenApiRegistry, deps: ApiDeps): void {
  const svc = deps.sandboxes;
  const opts = deps.e2b ?? {};
  const create = async (c: RouteContext<ApiEnv>) => {
    const b = await readJson(c, E2bCreateBody);
    const view = await svc.create(
      c.get("caller"),
      {
        template: b.templateID,
        timeout_s: b.timeout,
        on_timeout: b.autoPause ? "pause" : "destroy",
        env: b.envVars ?? {},
        metadata: b.metadata ?? {},
        ...(b.allow_internet_access === false ? { egress: { block_all: true } } : {}),
      },
      c.req.raw.signal,
    );
    return c.json(toE2bSandbox(view, opts), 201);
  };
  // connect: 200 when running (timeout extended if given), 201 when it had to be resumed.
  const connect = async (c: RouteContext<ApiEnv>) => {
    const { timeout } = await readJson(c, E2bConnectBody);
    const caller = c.get("caller");
    const id = c.req.param("id");
    const current = await svc.get(caller, id);
    if (PAUSED.includes(current.state)) {
      return c.json(toE2bSandbox(await svc.resume(caller, id, timeout), opts), 201);
    }
    if (current.state !== "running") throw new ApiError("not_found", `sandbox ${id} is ${current.state}`);
    const view = timeout === undefined ? current : await svc.setTimeout(caller, id, timeout);
    return c.json(toE2bSandbox(view, opts), 200);
  };
  for (const [prefix, suffix] of [
    ["", ""],
    ["/v2", "V2"],
  ] as const) {
    reg.route(
      app,
      {
        method: "post",
        path: `${prefix}/sandboxes`,
        operationId: `e2bCreateSandbox${suffix}`,
        summary: "E2B: create a sandbox",
        tags: TAGS,
        body: { schema: E2bCreateBody },
        responses: { 201: { description: "created", schema: E2bSandboxSchema }, 400: ERR, 503: ERR },
      },
      create,
    );
    reg.route(
      app,
      {
        method: "post",
        path: `${prefix}/sandboxes/{id}/connect`,
        operationId: `e2bConnectSandbox${suffix}`,
        summary: "E2B: connect — 200 when running (timeout extended), 201 when it was resumed",
        tags: TAGS,
        body: { schema: E2bConnectBody },
        responses: {
          200: { description: "running", schema: E2bSandboxSchema },
          201: { description: "resumed", schema: E2bSandboxSchema },
          404: ERR,
        },
      },
      connect,
    );
  }
}
