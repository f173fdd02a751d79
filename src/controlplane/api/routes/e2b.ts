import type { Hono } from "hono";
import type { SandboxState } from "../../../shared/models/index.js";
import type { ApiDeps, ApiEnv } from "../deps.js";
import { E2bListQuery, E2bPauseBody, E2bResumeBody, E2bTimeoutBody } from "../e2b-schemas.js";
import {
  E2bErrorSchema,
  E2bListedSandboxSchema,
  E2bSandboxDetailSchema,
  E2bSandboxSchema,
  toE2bDetail,
  toE2bListed,
  toE2bSandbox,
} from "../e2b-view.js";
import { metadataFilter } from "../metadata-filter.js";
import type { OpenApiRegistry } from "../openapi/registry.js";
import { readJson, readQuery } from "../validate.js";

const TAGS = ["e2b-compat"];
const ERR = { description: "E2B error", schema: E2bErrorSchema };
const sandbox = (description: string) => ({ description, schema: E2bSandboxSchema });

/**
 * e2bRoutes registers E2B's sandbox get, list, pause, resume, timeout and kill (create and connect are in
 * e2b-create.ts), mapped onto the same SandboxService. The app renders their errors as {code, message}.
 */
export function e2bRoutes(app: Hono<ApiEnv>, reg: OpenApiRegistry, deps: ApiDeps): void {
  const svc = deps.sandboxes;
  const opts = deps.e2b ?? {};
  const id = (c: { req: { param(n: "id"): string } }) => c.req.param("id");
  reg.route(
    app,
    {
      method: "get",
      path: "/sandboxes/{id}",
      operationId: "e2bGetSandbox",
      summary: "E2B: sandbox detail",
      tags: TAGS,
      responses: { 200: { description: "detail", schema: E2bSandboxDetailSchema }, 404: ERR },
    },
    async (c) => c.json(toE2bDetail(await svc.get(c.get("caller"), id(c)), opts)),
  );
  reg.route(
    app,
    {
      method: "get",
      path: "/v2/sandboxes",
      operationId: "e2bListSandboxes",
      summary: "E2B: list sandboxes (X-Next-Token header carries the cursor; empty on the last page)",
      tags: TAGS,
      query: E2bListQuery,
      responses: { 200: { description: "a page", schema: E2bListedSandboxSchema.array() }, 400: ERR },
    },
    async (c) => {
      const q = readQuery(c, E2bListQuery);
      const metadata = metadataFilter(new URL(c.req.url).searchParams);
      const states: SandboxState[] = q.state
        ? q.state.flatMap((s): SandboxState[] => (s === "paused" ? ["paused", "hibernated"] : ["running"]))
        : ["running", "paused", "hibernated"];
      const page = await svc.list(c.get("caller"), {
        limit: q.limit,
        states,
        ...(q.nextToken ? { cursor: q.nextToken } : {}),
        ...(metadata ? { metadata } : {}),
      });
      c.header("X-Next-Token", page.next_cursor ?? "");
      return c.json(page.items.map((v) => toE2bListed(v, opts)));
    },
  );
  reg.route(
    app,
    {
      method: "delete",
      path: "/sandboxes/{id}",
      operationId: "e2bKillSandbox",
      summary: "E2B: kill a sandbox",
      tags: TAGS,
      responses: { 204: { description: "killed" }, 404: ERR },
    },
    async (c) => {
      await svc.destroy(c.get("caller"), id(c));
      return c.body(null, 204);
    },
  );
  reg.route(
    app,
    {
      method: "post",
      path: "/sandboxes/{id}/pause",
      operationId: "e2bPauseSandbox",
      summary: "E2B: pause (204; 409 when already paused)",
      tags: TAGS,
      body: { schema: E2bPauseBody },
      responses: { 204: { description: "paused" }, 404: ERR, 409: ERR },
    },
    async (c) => {
      await readJson(c, E2bPauseBody);
      await svc.pause(c.get("caller"), id(c));
      return c.body(null, 204);
    },
  );
  reg.route(
    app,
    {
      method: "post",
      path: "/sandboxes/{id}/resume",
      operationId: "e2bResumeSandbox",
      summary: "E2B (older SDKs): resume a paused sandbox",
      tags: TAGS,
      body: { schema: E2bResumeBody },
      responses: { 201: sandbox("resumed"), 404: ERR, 409: ERR },
    },
    async (c) => {
      const { timeout } = await readJson(c, E2bResumeBody);
      return c.json(toE2bSandbox(await svc.resume(c.get("caller"), id(c), timeout), opts), 201);
    },
  );
  reg.route(
    app,
    {
      method: "post",
      path: "/sandboxes/{id}/timeout",
      operationId: "e2bSetTimeout",
      summary: "E2B: set the timeout (seconds from now)",
      tags: TAGS,
      body: { schema: E2bTimeoutBody },
      responses: { 204: { description: "set" }, 404: ERR },
    },
    async (c) => {
      const { timeout } = await readJson(c, E2bTimeoutBody);
      await svc.setTimeout(c.get("caller"), id(c), timeout);
      return c.body(null, 204);
    },
  );
}
