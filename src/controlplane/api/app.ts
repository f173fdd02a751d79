import { createNodeWebSocket, type NodeWebSocket } from "@hono/node-ws";
import { Hono } from "hono";
import { ApiError } from "../errors.js";
import type { ApiDeps, ApiEnv } from "./deps.js";
import { createErrorHandler, renderError } from "./errors.js";
import { jsonBodyLimit, rateLimit, requestLog, requireKey } from "./middleware/index.js";
import { OpenApiRegistry } from "./openapi/registry.js";
import { e2bRoutes } from "./routes/e2b.js";
import { e2bCreateRoutes } from "./routes/e2b-create.js";
import { e2bEnvdDispatch, envdRoutes } from "./routes/envd.js";
import { execRoutes } from "./routes/exec.js";
import { fileRoutes } from "./routes/files.js";
import { metaRoutes } from "./routes/meta.js";
import { sandboxRoutes } from "./routes/sandboxes.js";
import { terminalRoutes } from "./routes/terminal.js";

const DEFAULT_JSON_BODY = 1 << 20;
const TERMINAL_PATH = /^\/v1\/sandboxes\/[^/]+\/terminal$/;
const STREAMED_PATH = /^\/v1\/sandboxes\/[^/]+\/(files|envd)(\/|$)/;

/** websockets remembers each app's WebSocket adapter so serveApi can attach it to the HTTP server. */
const websockets = new WeakMap<Hono<ApiEnv>, NodeWebSocket>();

/** webSocketOf returns the adapter createApi made for app (used to attach it to a server). */
export function webSocketOf(app: Hono<ApiEnv>): NodeWebSocket {
  const ws = websockets.get(app);
  if (!ws) throw new Error("this Hono app was not made by createApi");
  return ws;
}

/**
 * createApi builds the REST API: /v1 (Wrenn), the E2B-compatible control-plane subset, the envd
 * pass-through, /health, /openapi.json and /docs. Routes are documented as they are registered, so the
 * OpenAPI document cannot drift from what is served. Every error goes through one onError funnel.
 */
export function createApi(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const ws = createNodeWebSocket({ app });
  websockets.set(app, ws);
  const reg = new OpenApiRegistry();
  const auth = requireKey({ verify: deps.keys, allowQueryKey: (p) => TERMINAL_PATH.test(p) });
  const limited = rateLimit(deps.limiter);
  const jsonLimit = jsonBodyLimit(deps.limits?.jsonBodyBytes ?? DEFAULT_JSON_BODY);

  app.onError(createErrorHandler(deps.logger));
  app.notFound((c) =>
    renderError(c, new ApiError("not_found", `no route for ${c.req.method} ${c.req.path}`)),
  );
  app.use("*", requestLog(deps.logger));
  app.use("*", e2bEnvdDispatch(deps));

  app.use("/v1/*", auth, limited, async function v1BodyLimit(c, next) {
    if (STREAMED_PATH.test(c.req.path)) return next();
    return jsonLimit(c, next);
  });
  // "/x/*" also matches "/x" itself; listing both would authenticate and charge twice.
  for (const p of ["/sandboxes/*", "/v2/sandboxes/*"]) {
    app.use(
      p,
      async function e2bErrorStyle(c, next) {
        c.set("errorStyle", "e2b");
        await next();
      },
      auth,
      limited,
      jsonLimit,
    );
  }

  sandboxRoutes(app, reg, deps);
  execRoutes(app, reg, deps);
  fileRoutes(app, reg, deps);
  terminalRoutes(app, reg, deps, ws.upgradeWebSocket);
  envdRoutes(app, reg, deps);
  e2bCreateRoutes(app, reg, deps);
  e2bRoutes(app, reg, deps);
  metaRoutes(app, reg, deps, {
    title: "Wrenn Sandbox API",
    version: "1",
    description: 'Run untrusted code in microVMs. Errors are {"error": {"code", "message"}}.',
  });
  return app;
}
