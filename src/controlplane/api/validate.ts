import type { Context } from "hono";
import type { z } from "zod";
import { ApiError } from "../errors.js";

/** fieldPath renders a zod issue path as `body.env.FOO` or `body.args[2]`. */
function fieldPath(where: string, path: readonly PropertyKey[]): string {
  let out = where;
  for (const p of path) out += typeof p === "number" ? `[${p}]` : `.${String(p)}`;
  return out;
}

/** parseWith validates a value and throws bad_request naming the first offending field. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = fieldPath(where, issue?.path ?? []);
  throw new ApiError("bad_request", `${path}: ${issue?.message ?? "invalid"}`);
}

/** readJson parses the request body as JSON (empty body = {}) and validates it against schema. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const text = await c.req.text();
  let raw: unknown = {};
  if (text.trim() !== "") {
    try {
      raw = JSON.parse(text);
    } catch {
      throw new ApiError("bad_request", "body: not valid JSON");
    }
  }
  return parseWith(schema, raw, "body");
}

/** readQuery validates the query string (last value wins for repeated single-valued keys). */
export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return parseWith(schema, c.req.query(), "query");
}
