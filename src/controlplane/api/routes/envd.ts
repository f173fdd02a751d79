import type { Hono, MiddlewareHandler } from "hono";
import type { EnvdRoute } from "../../sandboxes/types.js";
import type { ApiDeps, ApiEnv } from "../deps.js";
import { forwardToEnvd } from "../envd-forward.js";
import { e2bErrorBody, toApiError } from "../errors.js";
import { authenticate, presentedKey } from "../middleware/index.js";
import type { OpenApiRegistry } from "../openapi/registry.js";

/** ENVD_PORT is envd's port; only `49983-<id>.` hosts and E2b-Sandbox-Port 49983 are routed to envd. */
const ENVD_PORT = "49983";
const HOST_FORM = /^49983-([a-z0-9][a-z0-9-]{0,62})\./i;

/** restOf returns the part of the request URL after `/envd` (path and query) for the /v1 form. */
function restOf(url: URL, id: string): string {
  const prefix = `/v1/sandboxes/${id}/envd`;
  return url.pathname.slice(prefix.length) + url.search;
}

/**
 * envdRoutes registers ANY /v1/sandboxes/{id}/envd/* — the pass-through that lets envd clients (the
 * official E2B SDK with sandboxUrl = this prefix) reach a sandbox through the control plane.
 */
export function envdRoutes(app: Hono<ApiEnv>, reg: OpenApiRegistry, deps: ApiDeps): void {
  for (const method of ["get", "post", "put", "delete", "patch"] as const) {
    reg.document({
      method,
      path: "/v1/sandboxes/{id}/envd/{path}",
      operationId: `envdPassThrough${method[0]?.toUpperCase()}${method.slice(1)}`,
      summary: "Pass-through to the sandbox's envd (Connect RPC, /files, /health); bodies stream both ways",
      tags: ["envd"],
      responses: { 200: { description: "whatever envd answers, status and headers unchanged" } },
    });
  }
  app.all("/v1/sandboxes/:id/envd/*", async (c) => {
    const id = c.req.param("id");
    const route = await deps.sandboxes.envdRoute(c.get("caller"), id);
    return forwardToEnvd(c.req.raw, route, restOf(new URL(c.req.url), id));
  });
}

/** sandboxIdOf finds the target of an E2B-style envd call: Host `49983-<id>.…` or E2b-Sandbox-Id. */
export function sandboxIdOf(headers: Headers): string | null {
  const byHost = HOST_FORM.exec(headers.get("host") ?? "")?.[1];
  if (byHost) return byHost;
  const id = headers.get("e2b-sandbox-id");
  const port = headers.get("e2b-sandbox-port");
  return id && (!port || port === ENVD_PORT) ? id : null;
}

/**
 * e2bEnvdDispatch serves envd calls the E2B SDK makes without our /v1 prefix, before any other route:
 * Host `49983-<id>.<domain>` (the SDK's default envd URL) or, with E2B_SANDBOX_URL / sandboxUrl set to
 * this server's root, the E2b-Sandbox-Id header the SDK adds. The path is forwarded as is. Credentials:
 * X-API-Key when present, else deps.publicEnvdRoute (envd checks X-Access-Token itself). Errors use
 * E2B's shape; an unknown sandbox is 502, which the SDK reads as "sandbox gone".
 */
export function e2bEnvdDispatch(deps: ApiDeps): MiddlewareHandler<ApiEnv> {
  return async function e2bEnvdDispatchMiddleware(c, next) {
    const id = sandboxIdOf(c.req.raw.headers);
    if (!id) return next();
    try {
      let route: EnvdRoute;
      const key = presentedKey(c, false);
      if (key || !deps.publicEnvdRoute) {
        const caller = await authenticate(deps.keys, key);
        c.set("caller", caller);
        route = await deps.sandboxes.envdRoute(caller, id);
      } else {
        route = await deps.publicEnvdRoute(id);
      }
      const url = new URL(c.req.url);
      return await forwardToEnvd(c.req.raw, route, url.pathname + url.search);
    } catch (err) {
      const e = toApiError(err);
      const status = e.code === "not_found" ? 502 : undefined;
      const body = status ? { code: 502, message: `sandbox ${id} not found` } : e2bErrorBody(e);
      if (e.retryAfterS !== undefined) c.header("Retry-After", String(Math.ceil(e.retryAfterS)));
      if (e.code === "internal") deps.logger.error("envd dispatch failed", { cause: String(e.cause ?? e) });
      return c.json(body, (status ?? body.code) as 502);
    }
  };
}
