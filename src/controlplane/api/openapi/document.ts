import { jsonSchema, type Operation } from "./registry.js";

/** OpenApiInfo titles the document. */
export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

type Json = Record<string, unknown>;

function parameters(op: Operation): Json[] {
  const out: Json[] = [];
  for (const m of op.path.matchAll(/\{(\w+)\}/g)) {
    out.push({ name: m[1], in: "path", required: true, schema: { type: "string" } });
  }
  if (op.query) {
    for (const [name, field] of Object.entries(op.query.shape)) {
      const schema = jsonSchema(field, "input");
      out.push({ name, in: "query", required: !field.safeParse(undefined).success, schema });
    }
  }
  return out;
}

function responses(op: Operation): Json {
  const out: Json = {};
  for (const [status, r] of Object.entries(op.responses)) {
    const entry: Json = { description: r.description };
    if (r.schema) entry.content = { "application/json": { schema: jsonSchema(r.schema, "output") } };
    else if (r.contentType) entry.content = { [r.contentType]: { schema: { type: "string" } } };
    if (r.headers) {
      entry.headers = Object.fromEntries(
        Object.entries(r.headers).map(([h, d]) => [h, { description: d, schema: { type: "string" } }]),
      );
    }
    out[status] = entry;
  }
  return out;
}

function operation(op: Operation): Json {
  const out: Json = {
    operationId: op.operationId,
    summary: op.summary,
    tags: op.tags,
    parameters: parameters(op),
    responses: responses(op),
  };
  if (op.description) out.description = op.description;
  if (op.auth === "none") out.security = [];
  if (op.body) {
    const type = op.body.contentType ?? "application/json";
    const schema = op.body.schema
      ? jsonSchema(op.body.schema, "input")
      : { type: "string", format: "binary" };
    out.requestBody = {
      required: true,
      ...(op.body.description ? { description: op.body.description } : {}),
      content: { [type]: { schema } },
    };
  }
  return out;
}

/** buildOpenApi renders the registered operations as an OpenAPI 3.1 document. */
export function buildOpenApi(ops: readonly Operation[], info: OpenApiInfo): Json {
  const paths: Record<string, Json> = {};
  for (const op of ops) {
    const item = paths[op.path] ?? {};
    item[op.method] = operation(op);
    paths[op.path] = item;
  }
  return {
    openapi: "3.1.0",
    info,
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    servers: [{ url: "/" }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: { apiKey: { type: "apiKey", in: "header", name: "X-API-Key" } },
    },
    paths,
  };
}
