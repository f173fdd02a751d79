import type { Hono } from "hono";
import type { ApiDeps, ApiEnv } from "../deps.js";
import { renderDocs } from "../openapi/docs.js";
import { buildOpenApi, type OpenApiInfo } from "../openapi/document.js";
import type { OpenApiRegistry } from "../openapi/registry.js";
import { HealthSchema } from "../schemas.js";

const HEALTH_TIMEOUT_MS = 2000;

/** dbAnswers runs the health check with a deadline, so a hung database reads as down, not as a hang. */
async function dbAnswers(check: () => Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), HEALTH_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check().catch(() => false), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * metaRoutes registers the unauthenticated routes: GET /health (503 while the database does not
 * answer), GET /openapi.json and GET /docs. Call it last so the document lists every operation.
 */
export function metaRoutes(app: Hono<ApiEnv>, reg: OpenApiRegistry, deps: ApiDeps, info: OpenApiInfo): void {
  reg.route(
    app,
    {
      method: "get",
      path: "/health",
      operationId: "health",
      summary: "Liveness and database reachability (no auth)",
      tags: ["meta"],
      auth: "none",
      responses: {
        200: { description: "healthy", schema: HealthSchema },
        503: { description: "the database does not answer", schema: HealthSchema },
      },
    },
    async (c) => {
      const ok = await dbAnswers(deps.dbHealthy);
      if (!ok) c.header("Retry-After", "5");
      c.header("Cache-Control", "no-store");
      return c.json({ status: ok ? "ok" : "unavailable", database: ok }, ok ? 200 : 503);
    },
  );
  reg.document({
    method: "get",
    path: "/openapi.json",
    operationId: "openapi",
    summary: "This OpenAPI 3.1 document",
    tags: ["meta"],
    auth: "none",
    responses: { 200: { description: "the document", contentType: "application/json" } },
  });
  reg.document({
    method: "get",
    path: "/docs",
    operationId: "docs",
    summary: "Human-readable API reference (self-contained HTML)",
    tags: ["meta"],
    auth: "none",
    responses: { 200: { description: "HTML", contentType: "text/html" } },
  });
  let doc: Record<string, unknown> | undefined;
  let html: string | undefined;
  const spec = () => {
    doc ??= buildOpenApi(reg.operations, info);
    return doc;
  };
  app.get("/openapi.json", (c) => c.json(spec()));
  app.get("/docs", (c) => {
    html ??= renderDocs(spec());
    return c.html(html);
  });
}
