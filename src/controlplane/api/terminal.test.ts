import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { type ApiServer, serveApi } from "./index.js";
import { type ApiHarness, useApiHarness } from "./testing/harness.js";

/** nextMessage waits for the socket's next frame, as text. */
function collect(ws: WebSocket): { text: () => string; closed: Promise<[number, string]> } {
  let buf = "";
  ws.on("message", (data: Buffer) => {
    buf += data.toString("utf8");
  });
  const closed = new Promise<[number, string]>((resolve) =>
    ws.on("close", (code, reason) => resolve([code, reason.toString()])),
  );
  return { text: () => buf, closed };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// The one real-port test: the WebSocket upgrade needs a Node HTTP server.
describe("WS /v1/sandboxes/{id}/terminal", () => {
  let h: ApiHarness;
  let server: ApiServer;
  let id: string;

  before(async () => {
    h = await useApiHarness();
    server = await serveApi(h.app, { port: 0 });
    id = ((await (await h.call("POST", "/v1/sandboxes", { template: "m" })).json()) as { id: string }).id;
  });
  after(async () => {
    await server?.close();
    await h?.close();
  });

  it("echoes binary PTY bytes, resizes on a text frame and closes with the exit code", async () => {
    const url = `${server.url.replace("http", "ws")}/v1/sandboxes/${id}/terminal?cols=100&rows=30`;
    const ws = new WebSocket(url, { headers: { "X-API-Key": h.keyA } });
    const got = collect(ws);
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    assert.deepEqual(h.svc.hooks.lastResize, { cols: 100, rows: 30 });
    ws.send(Buffer.from("echo hi\n"));
    await until(() => got.text().includes("echo hi\n"), "echo");
    ws.send(JSON.stringify({ type: "resize", cols: 120, rows: 40 }));
    await until(() => got.text().includes("[resized 120x40]"), "resize");
    assert.deepEqual(h.svc.hooks.lastResize, { cols: 120, rows: 40 });
    ws.send(Buffer.from("exit 7\n"));
    assert.deepEqual(await got.closed, [1000, "exit 7"]);
  });

  it("takes the key from ?api_key= (browsers) and refuses bad keys and unknown sandboxes before upgrading", async () => {
    const base = server.url.replace("http", "ws");
    const ok = new WebSocket(`${base}/v1/sandboxes/${id}/terminal?api_key=${h.keyA}`);
    const got = collect(ok);
    await new Promise((resolve, reject) => {
      ok.once("open", resolve);
      ok.once("error", reject);
    });
    ok.send("exit 0\n");
    assert.deepEqual(await got.closed, [1000, "exit 0"]);
    const status = (u: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(u, { headers });
        ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        ws.on("open", () => resolve(101));
        ws.on("error", () => {});
      });
    assert.equal(await status(`${base}/v1/sandboxes/${id}/terminal`), 401);
    assert.equal(await status(`${base}/v1/sandboxes/sb-ffffffff/terminal`, { "X-API-Key": h.keyA }), 404);
    assert.ok(
      h.logs.every((l) => !JSON.stringify(l).includes(h.keyA.slice(12))),
      "the ?api_key= secret is redacted in the access log",
    );
  });
});
