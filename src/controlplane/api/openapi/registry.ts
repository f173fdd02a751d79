import type { Context, Env, Handler, Hono, Next } from "hono";
import { z } from "zod";

/** ResponseSpec documents one response: a JSON schema, a raw content type, or no body. */
export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
  headers?: Record<string, string>;
}

/** RouteContext is what handlers get: `id` and `path` params are strings when the route declares them. */
export type RouteContext<E extends Env> = Context<E, "/:id/:path">;

/** RouteHandler answers one registered operation. */
export type RouteHandler<E extends Env> = (
  c: RouteContext<E>,
  next: Next,
) => Response | undefined | Promise<Response | undefined>;

/** Operation is one documented route; the same object registers the Hono handler. */
export interface Operation {
  method: "get" | "post" | "put" | "delete" | "patch";
  /** path in OpenAPI form: `/v1/sandboxes/{id}`; a trailing `{path}` may span slashes. */
  path: string;
  operationId: string;
  summary: string;
  tags: string[];
  /** auth: which credential the route takes (default "key": the X-API-Key header). */
  auth?: "key" | "none";
  query?: z.ZodObject;
  body?: { schema?: z.ZodType; contentType?: string; description?: string };
  responses: Record<number, ResponseSpec>;
  /** description is longer prose shown under the summary. */
  description?: string;
}

/** OpenApiRegistry collects operations while routes are registered and renders the document. */
export class OpenApiRegistry {
  readonly operations: Operation[] = [];

  /** route records op and registers handlers on app under the Hono form of its path. */
  route<E extends Env>(app: Hono<E>, op: Operation, handler: RouteHandler<E>): void {
    this.operations.push(op);
    app.on(op.method.toUpperCase(), honoPath(op.path), handler as unknown as Handler<E>);
  }

  /** document records an operation served by some other mechanism (e.g. a catch-all proxy). */
  document(op: Operation): void {
    this.operations.push(op);
  }
}

/** honoPath turns `/a/{id}/files/{path}` into `/a/:id/files/:path{.+}`. */
export function honoPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === "path" ? ":path{.+}" : `:${name}`));
}

/** jsonSchema converts a zod schema to JSON Schema 2020-12 (OpenAPI 3.1's dialect). */
export function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  delete out.$schema;
  return out;
}
