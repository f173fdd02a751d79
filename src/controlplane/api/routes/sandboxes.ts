import type { Hono } from "hono";
import type { ApiDeps, ApiEnv } from "../deps.js";
import { metadataFilter } from "../metadata-filter.js";
import type { OpenApiRegistry } from "../openapi/registry.js";
import {
  CreateSandboxBody,
  ErrorSchema,
  ListQuery,
  ResumeBody,
  SandboxPageSchema,
  SandboxViewSchema,
  TimeoutBody,
} from "../schemas.js";
import { readJson, readQuery } from "../validate.js";

const TAGS = ["sandboxes"];
const err = (description: string) => ({ description, schema: ErrorSchema });
const view = (description: string) => ({ description, schema: SandboxViewSchema });
const NOT_FOUND = err("unknown sandbox, or another team's");

/** sandboxRoutes registers create, list, get, destroy, pause, resume and timeout under /v1/sandboxes. */
export function sandboxRoutes(app: Hono<ApiEnv>, reg: OpenApiRegistry, deps: ApiDeps): void {
  const svc = deps.sandboxes;
  reg.route(
    app,
    {
      method: "post",
      path: "/v1/sandboxes",
      operationId: "createSandbox",
      summary: "Create a sandbox from a template and wait until it runs",
      tags: TAGS,
      body: { schema: CreateSandboxBody },
      responses: {
        201: view("the running sandbox"),
        400: err("schema error naming the field"),
        503: err("no host has capacity (reason in message), or a dependency is down"),
      },
    },
    async (c) => {
      const input = await readJson(c, CreateSandboxBody);
      return c.json(await svc.create(c.get("caller"), input, c.req.raw.signal), 201);
    },
  );
  reg.route(
    app,
    {
      method: "get",
      path: "/v1/sandboxes",
      operationId: "listSandboxes",
      summary: "List the team's sandboxes",
      description:
        "Filter by state (comma-separated) and metadata, as metadata[k]=v (repeatable) or metadata=k%3Dv%26k2%3Dv2.",
      tags: TAGS,
      query: ListQuery,
      responses: { 200: { description: "one page", schema: SandboxPageSchema }, 400: err("bad filter") },
    },
    async (c) => {
      const q = readQuery(c, ListQuery);
      const metadata = metadataFilter(new URL(c.req.url).searchParams);
      const page = await svc.list(c.get("caller"), {
        limit: q.limit,
        ...(q.state ? { states: q.state } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
        ...(metadata ? { metadata } : {}),
      });
      return c.json(page);
    },
  );
  reg.route(
    app,
    {
      method: "get",
      path: "/v1/sandboxes/{id}",
      operationId: "getSandbox",
      summary: "Get one sandbox",
      tags: TAGS,
      responses: { 200: view("the sandbox"), 404: NOT_FOUND },
    },
    async (c) => c.json(await svc.get(c.get("caller"), c.req.param("id"))),
  );
  reg.route(
    app,
    {
      method: "delete",
      path: "/v1/sandboxes/{id}",
      operationId: "destroySandbox",
      summary: "Destroy a sandbox",
      tags: TAGS,
      responses: { 204: { description: "destroyed" }, 404: NOT_FOUND },
    },
    async (c) => {
      await svc.destroy(c.get("caller"), c.req.param("id"));
      return c.body(null, 204);
    },
  );
  reg.route(
    app,
    {
      method: "post",
      path: "/v1/sandboxes/{id}/pause",
      operationId: "pauseSandbox",
      summary: "Pause a running sandbox (memory and disk kept)",
      tags: TAGS,
      responses: { 200: view("the paused sandbox"), 404: NOT_FOUND, 409: err("not running (e.g. paused)") },
    },
    async (c) => c.json(await svc.pause(c.get("caller"), c.req.param("id"))),
  );
  reg.route(
    app,
    {
      method: "post",
      path: "/v1/sandboxes/{id}/resume",
      operationId: "resumeSandbox",
      summary: "Resume a paused sandbox, optionally with a new timeout",
      tags: TAGS,
      body: { schema: ResumeBody },
      responses: { 200: view("the running sandbox"), 404: NOT_FOUND, 409: err("not paused") },
    },
    async (c) => {
      const { timeout_s } = await readJson(c, ResumeBody);
      return c.json(await svc.resume(c.get("caller"), c.req.param("id"), timeout_s));
    },
  );
  reg.route(
    app,
    {
      method: "post",
      path: "/v1/sandboxes/{id}/timeout",
      operationId: "setSandboxTimeout",
      summary: "Set the sandbox to time out timeout_s seconds from now",
      tags: TAGS,
      body: { schema: TimeoutBody },
      responses: { 200: view("the sandbox with its new end_at"), 404: NOT_FOUND },
    },
    async (c) => {
      const { timeout_s } = await readJson(c, TimeoutBody);
      return c.json(await svc.setTimeout(c.get("caller"), c.req.param("id"), timeout_s));
    },
  );
}
