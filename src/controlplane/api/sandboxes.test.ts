import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ApiHarness, useApiHarness } from "./testing/harness.js";

const json = async (r: Response) => (await r.json()) as Record<string, unknown>;
const errorOf = async (r: Response) =>
  ((await r.json()) as { error: { code: string; message: string } }).error;

describe("REST API /v1/sandboxes", () => {
  let h: ApiHarness;
  before(async () => {
    h = await useApiHarness({ capacityVcpus: 8 });
  });
  after(async () => h?.close());

  it("creates a sandbox with defaults and gets it back", async () => {
    const r = await h.call("POST", "/v1/sandboxes", { template: "minimal", metadata: { app: "x" } });
    assert.equal(r.status, 201);
    const sb = await json(r);
    assert.match(String(sb.id), /^sb-/);
    assert.deepEqual(
      [sb.state, sb.timeout_s, sb.on_timeout, sb.metadata],
      ["running", 300, "destroy", { app: "x" }],
    );
    const got = await h.call("GET", `/v1/sandboxes/${sb.id}`);
    assert.equal(got.status, 200);
    assert.equal((await json(got)).id, sb.id);
    assert.ok(got.headers.get("x-request-id"));
  });

  it("rejects schema errors with 400 naming the field path", async () => {
    const cases: [unknown, RegExp][] = [
      [{}, /^body\.template: /],
      [{ template: "m", vcpus: 0 }, /^body\.vcpus: /],
      [{ template: "m", timeout_s: "5" }, /^body\.timeout_s: /],
      [{ template: "m", env: { "bad key": "v" } }, /^body\.env\.bad key: /],
      [{ template: "m", egress: { allow_cidrs: [1] } }, /^body\.egress\.allow_cidrs\[0\]: /],
      [{ template: "m", surprise: true }, /^body: .*surprise/],
      ["{not json", /^body: not valid JSON/],
    ];
    for (const [body, re] of cases) {
      const r = await h.call("POST", "/v1/sandboxes", body);
      assert.equal(r.status, 400, JSON.stringify(body));
      const e = await errorOf(r);
      assert.equal(e.code, "bad_request");
      assert.match(e.message, re);
    }
    const q = await h.call("GET", "/v1/sandboxes?limit=0");
    assert.match((await errorOf(q)).message, /^query\.limit: /);
    const s = await h.call("GET", "/v1/sandboxes?state=running,bogus");
    assert.match((await errorOf(s)).message, /^query\.state\[1\]: /);
  });

  it("answers 404 for unknown ids and for another team's sandbox", async () => {
    const mine = await json(await h.call("POST", "/v1/sandboxes", { template: "m" }));
    const unknown = await h.call("GET", "/v1/sandboxes/sb-ffffffff");
    assert.equal(unknown.status, 404);
    assert.equal((await errorOf(unknown)).code, "not_found");
    for (const [m, p] of [
      ["GET", ""],
      ["DELETE", ""],
      ["POST", "/pause"],
      ["POST", "/exec"],
    ] as const) {
      const body = p === "/exec" ? { cmd: "echo hi" } : undefined;
      const r = await h.call(m, `/v1/sandboxes/${mine.id}${p}`, body, { "X-API-Key": h.keyB });
      assert.equal(r.status, 404, `${m} ${p}`);
    }
    const list = await json(await h.call("GET", "/v1/sandboxes", undefined, { "X-API-Key": h.keyB }));
    assert.deepEqual(list.items, []);
  });

  it("pauses, refuses a second pause with 409, resumes, sets the timeout, destroys", async () => {
    const sb = await json(await h.call("POST", "/v1/sandboxes", { template: "m" }));
    const base = `/v1/sandboxes/${sb.id}`;
    const p = await h.call("POST", `${base}/pause`);
    assert.equal(p.status, 200);
    assert.equal((await json(p)).state, "paused");
    const again = await h.call("POST", `${base}/pause`);
    assert.equal(again.status, 409);
    assert.equal((await errorOf(again)).code, "conflict");
    const r = await h.call("POST", `${base}/resume`, { timeout_s: 60 });
    assert.deepEqual([r.status, (await json(r)).timeout_s], [200, 60]);
    const t = await h.call("POST", `${base}/timeout`, { timeout_s: 3600 });
    assert.equal(t.status, 200);
    const endAt = Date.parse(String((await json(t)).end_at));
    assert.ok(endAt > Date.now() + 3500_000, "end_at moved an hour ahead");
    assert.equal((await h.call("POST", `${base}/timeout`, {})).status, 400);
    const d = await h.call("DELETE", base);
    assert.equal(d.status, 204);
    assert.equal(await d.text(), "");
    assert.equal((await h.call("GET", base)).status, 404);
  });

  it("lists with state and metadata filters (both forms) and cursor pagination", async () => {
    const mk = async (metadata: Record<string, string>) =>
      json(await h.call("POST", "/v1/sandboxes", { template: "m", metadata }));
    const x = await mk({ job: "list", tier: "gold" });
    const y = await mk({ job: "list", tier: "free" });
    await h.call("POST", `/v1/sandboxes/${y.id}/pause`);
    const ids = async (q: string) =>
      ((await json(await h.call("GET", `/v1/sandboxes?${q}`))).items as { id: string }[]).map((s) => s.id);
    assert.deepEqual(await ids("metadata[job]=list"), [x.id, y.id]);
    assert.deepEqual(await ids("metadata[job]=list&state=paused"), [y.id]);
    assert.deepEqual(await ids(`metadata=${encodeURIComponent("job=list&tier=gold")}`), [x.id]);
    const p1 = await json(await h.call("GET", "/v1/sandboxes?metadata[job]=list&limit=1"));
    assert.deepEqual([(p1.items as { id: string }[])[0]?.id, typeof p1.next_cursor], [x.id, "string"]);
    const p2 = await json(
      await h.call("GET", `/v1/sandboxes?metadata[job]=list&limit=1&cursor=${p1.next_cursor as string}`),
    );
    assert.deepEqual([(p2.items as { id: string }[])[0]?.id, p2.next_cursor], [y.id, null]);
  });

  it("answers 503 no_capacity with the reason and Retry-After", async () => {
    const r = await h.call("POST", "/v1/sandboxes", { template: "m", vcpus: 64 });
    assert.equal(r.status, 503);
    assert.equal(r.headers.get("retry-after"), "10");
    const e = await errorOf(r);
    assert.equal(e.code, "no_capacity");
    assert.match(e.message, /free vCPUs/);
  });

  it("requires a valid key: 401 when missing, malformed or unknown; never logs it", async () => {
    const none = await h.app.request("/v1/sandboxes");
    assert.equal(none.status, 401);
    assert.deepEqual(await errorOf(none), {
      code: "unauthenticated",
      message: "missing API key: send the X-API-Key header",
    });
    for (const k of ["nope", `wrn_${"0".repeat(32)}`]) {
      const r = await h.app.request("/v1/sandboxes", { headers: { "X-API-Key": k } });
      assert.equal(r.status, 401);
    }
    const q = await h.app.request(`/v1/sandboxes?api_key=${h.keyA}`);
    assert.equal(q.status, 401, "?api_key= is accepted only on the terminal route");
    assert.ok(!JSON.stringify(h.logs).includes(h.keyA.slice(12)), "no key secret in the logs");
    assert.ok(h.logs.some((l) => l.msg === "request" && l.fields?.status === 401));
  });

  it("caps buffered JSON bodies with 413 and renders unknown routes as 404 JSON", async () => {
    const big = { template: "m", metadata: { k: "x".repeat(2 << 20) } };
    const r = await h.call("POST", "/v1/sandboxes", big);
    assert.equal(r.status, 413);
    assert.equal((await errorOf(r)).code, "payload_too_large");
    const nf = await h.call("GET", "/v1/nothing-here");
    assert.equal(nf.status, 404);
    assert.equal((await errorOf(nf)).code, "not_found");
  });

  it("reports health without auth: 200 with the database, 503 without", async () => {
    const ok = await h.app.request("/health");
    assert.deepEqual([ok.status, await ok.json()], [200, { status: "ok", database: true }]);
    h.dbUp.value = false;
    try {
      const down = await h.app.request("/health");
      assert.equal(down.status, 503);
      assert.equal(down.headers.get("retry-after"), "5");
    } finally {
      h.dbUp.value = true;
    }
  });
});
