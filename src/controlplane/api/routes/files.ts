import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import type { Hono } from "hono";
import { ApiError } from "../../errors.js";
import type { ApiDeps, ApiEnv } from "../deps.js";
import type { OpenApiRegistry } from "../openapi/registry.js";
import { ErrorSchema, FileQuery, FileReadQuery, FileWrittenSchema } from "../schemas.js";
import { readQuery } from "../validate.js";

const NOT_FOUND = { description: "unknown sandbox, or no such file", schema: ErrorSchema };

/**
 * fileRoutes registers streamed upload (PUT …/files?path=) and download (GET …/files/{path}). Neither
 * buffers: the request body is handed to the service as a Node stream as it arrives, and the service's
 * stream becomes the response body, with Content-Length when the size is known.
 */
export function fileRoutes(app: Hono<ApiEnv>, reg: OpenApiRegistry, deps: ApiDeps): void {
  reg.route(
    app,
    {
      method: "put",
      path: "/v1/sandboxes/{id}/files",
      operationId: "writeFile",
      summary: "Write a file from the raw request body (streamed, any size); parent directories are created",
      tags: ["files"],
      query: FileQuery,
      body: { contentType: "application/octet-stream", description: "the file's bytes" },
      responses: {
        201: { description: "written", schema: FileWrittenSchema },
        400: { description: "missing path or body", schema: ErrorSchema },
        404: NOT_FOUND,
      },
    },
    async (c) => {
      const q = readQuery(c, FileQuery);
      const web = c.req.raw.body;
      if (!web) throw new ApiError("bad_request", "body: the file's bytes are required");
      const body = Readable.fromWeb(web as NodeReadableStream<Uint8Array>);
      const { bytes } = await deps.sandboxes.writeFile(
        c.get("caller"),
        c.req.param("id"),
        q.path,
        body,
        q.user,
      );
      return c.json({ path: q.path, bytes }, 201);
    },
  );
  reg.route(
    app,
    {
      method: "get",
      path: "/v1/sandboxes/{id}/files/{path}",
      operationId: "readFile",
      summary: "Download a file (streamed); {path} is the absolute path without its leading slash",
      tags: ["files"],
      query: FileReadQuery,
      responses: {
        200: { description: "the file's bytes", contentType: "application/octet-stream" },
        404: NOT_FOUND,
      },
    },
    async (c) => {
      const q = readQuery(c, FileReadQuery);
      const path = `/${c.req.param("path").replace(/^\/+/, "")}`;
      const file = await deps.sandboxes.readFile(c.get("caller"), c.req.param("id"), path, q.user);
      const headers: Record<string, string> = { "Content-Type": "application/octet-stream" };
      if (file.size !== undefined) headers["Content-Length"] = String(file.size);
      const stream = Readable.toWeb(file.body) as unknown as ReadableStream<Uint8Array>;
      return new Response(stream, { status: 200, headers });
    },
  );
}
