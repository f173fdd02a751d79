import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { type ApiHarness, useApiHarness } from "./testing/harness.js";

// A loopback HTTP server stands in for the host agent's envd proxy and records what reaches it.
describe("envd pass-through", () => {
  let h: ApiHarness;
  let id: string;
  let upstream: Server;
  let seen: { method: string; url: string; headers: IncomingMessage["headers"]; body: string }[] = [];

  before(async () => {
    upstream = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString();
        seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
        const status = req.url?.includes("missing") ? 404 : 200;
        res.writeHead(status, { "content-type": "application/json", "x-envd": "yes" });
        res.end(JSON.stringify({ echoed: req.url }));
      });
    });
    upstream.listen(0, "127.0.0.1");
    await once(upstream, "listening");
    const port = (upstream.address() as AddressInfo).port;
    h = await useApiHarness({ envdBaseUrl: `http://127.0.0.1:${port}` });
    const r = await h.call("POST", "/v1/sandboxes", { template: "m" });
    id = ((await r.json()) as { id: string }).id;
  });
  after(async () => {
    await h?.close();
    upstream?.close();
  });

  it("passes envd calls through with the agent token, keeping status, headers and body", async () => {
    seen = [];
    const r = await h.call("POST", `/v1/sandboxes/${id}/envd/process.Process/List?x=1`, '{"a":1}', {
      "Content-Type": "application/json",
      "X-Access-Token": "tok",
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("x-envd"), "yes");
    assert.deepEqual(await r.json(), { echoed: `/sandboxes/${id}/envd/process.Process/List?x=1` });
    const call = seen[0];
    assert.equal(call?.body, '{"a":1}');
    assert.equal(call?.headers["x-wrenn-agent-token"], "agent-token-test");
    assert.equal(call?.headers["x-access-token"], "tok");
    assert.equal(call?.headers["x-api-key"], undefined, "the API key never reaches envd");
    const missing = await h.call("GET", `/v1/sandboxes/${id}/envd/files?path=missing`);
    assert.equal(missing.status, 404, "envd's own status is kept");
  });

  it("routes E2B-style envd calls without /v1: E2b-Sandbox-Id header and 49983-<id> host", async () => {
    seen = [];
    const byHeader = await h.call("GET", "/health", undefined, {
      "E2b-Sandbox-Id": id,
      "E2b-Sandbox-Port": "49983",
    });
    assert.deepEqual(await byHeader.json(), { echoed: `/sandboxes/${id}/envd/health` });
    const byHost = await h.call("GET", "/files?path=/a", undefined, { Host: `49983-${id}.wrenn.local` });
    assert.deepEqual(await byHost.json(), { echoed: `/sandboxes/${id}/envd/files?path=/a` });
    const gone = await h.call("GET", "/health", undefined, { "E2b-Sandbox-Id": "sb-ffffffff" });
    assert.deepEqual(
      [gone.status, await gone.json()],
      [502, { code: 502, message: "sandbox sb-ffffffff not found" }],
    );
    const anon = await h.app.request("/health", { headers: { "E2b-Sandbox-Id": id } });
    assert.equal(anon.status, 401, "without publicEnvdRoute an API key is required");
  });
});
