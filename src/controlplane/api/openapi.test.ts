import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ApiHarness, useApiHarness } from "./testing/harness.js";

type Obj = Record<string, unknown>;

/** ROUTES is every operation the API serves, as OpenAPI path + method. */
const ROUTES: [string, string][] = [
  ["/v1/sandboxes", "post"],
  ["/v1/sandboxes", "get"],
  ["/v1/sandboxes/{id}", "get"],
  ["/v1/sandboxes/{id}", "delete"],
  ["/v1/sandboxes/{id}/pause", "post"],
  ["/v1/sandboxes/{id}/resume", "post"],
  ["/v1/sandboxes/{id}/timeout", "post"],
  ["/v1/sandboxes/{id}/exec", "post"],
  ["/v1/sandboxes/{id}/files", "put"],
  ["/v1/sandboxes/{id}/files/{path}", "get"],
  ["/v1/sandboxes/{id}/terminal", "get"],
  ["/v1/sandboxes/{id}/envd/{path}", "post"],
  ["/sandboxes", "post"],
  ["/sandboxes/{id}", "get"],
  ["/sandboxes/{id}", "delete"],
  ["/v2/sandboxes", "get"],
  ["/sandboxes/{id}/pause", "post"],
  ["/sandboxes/{id}/connect", "post"],
  ["/sandboxes/{id}/resume", "post"],
  ["/sandboxes/{id}/timeout", "post"],
  ["/health", "get"],
  ["/openapi.json", "get"],
  ["/docs", "get"],
];

describe("OpenAPI document and docs page", () => {
  let h: ApiHarness;
  let doc: Obj;
  before(async () => {
    h = await useApiHarness();
    const r = await h.app.request("/openapi.json");
    assert.equal(r.status, 200);
    doc = (await r.json()) as Obj;
  });
  after(async () => h?.close());

  it("is structurally OpenAPI 3.1 and lists every route", () => {
    assert.equal(doc.openapi, "3.1.0");
    const info = doc.info as Obj;
    assert.equal(typeof info.title, "string");
    assert.equal(typeof info.version, "string");
    const paths = doc.paths as Record<string, Record<string, Obj>>;
    for (const [p, m] of ROUTES) assert.ok(paths[p]?.[m], `${m.toUpperCase()} ${p} documented`);
    const ids = new Set<string>();
    for (const [p, item] of Object.entries(paths)) {
      assert.ok(p.startsWith("/"), p);
      const declared = [...p.matchAll(/\{(\w+)\}/g)].map((x) => x[1]);
      for (const [method, op] of Object.entries(item)) {
        assert.ok(["get", "post", "put", "delete", "patch"].includes(method));
        assert.equal(typeof op.operationId, "string");
        assert.ok(!ids.has(op.operationId as string), `unique operationId ${op.operationId}`);
        ids.add(op.operationId as string);
        const responses = op.responses as Record<string, Obj>;
        assert.ok(Object.keys(responses).length > 0);
        for (const [code, r] of Object.entries(responses)) {
          assert.match(code, /^[1-5]\d\d$/);
          assert.equal(typeof r.description, "string");
        }
        const params = (op.parameters as Obj[]) ?? [];
        const pathParams = params.filter((x) => x.in === "path").map((x) => x.name);
        assert.deepEqual(pathParams, declared, `${method} ${p} path parameters`);
        for (const x of params) assert.ok(x.schema && typeof x.name === "string");
      }
    }
    const schemes = (doc.components as Obj).securitySchemes as Obj;
    assert.deepEqual(schemes.apiKey, { type: "apiKey", in: "header", name: "X-API-Key" });
  });

  it("derives request and response schemas from the zod schemas", () => {
    const paths = doc.paths as Record<string, Record<string, Obj>>;
    const create = paths["/v1/sandboxes"]?.post as Obj;
    const body = (((create.requestBody as Obj).content as Obj)["application/json"] as Obj).schema as Obj;
    assert.deepEqual(body.required, ["template"]);
    assert.equal(((body.properties as Obj).timeout_s as Obj).default, 300);
    const ok = ((create.responses as Obj)["201"] as Obj).content as Obj;
    const view = (ok["application/json"] as Obj).schema as Obj;
    assert.ok((view.required as string[]).includes("envd_access_token"));
    const health = paths["/health"]?.get as Obj;
    assert.deepEqual(health.security, []);
  });

  it("serves a self-contained HTML docs page listing the operations", async () => {
    const r = await h.app.request("/docs");
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /text\/html/);
    const html = await r.text();
    assert.ok(
      !/<script|https?:\/\/(?!json-schema)/i.test(html.replace(/href="#[^"]*"/g, "")),
      "no external assets",
    );
    for (const id of ["createSandbox", "execInSandbox", "openTerminal", "e2bCreateSandbox"]) {
      assert.ok(html.includes(`id="${id}"`), id);
    }
  });
});
