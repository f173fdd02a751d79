import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ApiHarness, useApiHarness } from "./testing/harness.js";

type Obj = Record<string, unknown>;

describe("E2B-compatible control-plane routes", () => {
  let h: ApiHarness;
  let e2bKey: string;
  const call = (method: string, path: string, body?: unknown) =>
    h.call(method, path, body, { "X-API-Key": e2bKey });

  before(async () => {
    h = await useApiHarness({ e2b: { domain: "wrenn.local" } });
    e2bKey = h.keyA.replace(/^wrn_/, "e2b_");
  });
  after(async () => h?.close());

  it("creates with the SDK's body and answers E2B's Sandbox shape", async () => {
    const r = await call("POST", "/sandboxes", {
      templateID: "base",
      timeout: 300,
      metadata: { who: "sdk" },
      envVars: { A: "1" },
      secure: true,
      allow_internet_access: true,
      autoPause: false,
      mcp: null,
      volumeMounts: [],
    });
    assert.equal(r.status, 201);
    const sb = (await r.json()) as Obj;
    assert.deepEqual(Object.keys(sb).sort(), [
      "clientID",
      "domain",
      "envdAccessToken",
      "envdVersion",
      "sandboxID",
      "templateID",
    ]);
    assert.deepEqual([sb.templateID, sb.envdVersion, sb.domain], ["base", "0.5.7", "wrenn.local"]);
    const d = (await (await call("GET", `/sandboxes/${sb.sandboxID}`)).json()) as Obj;
    assert.deepEqual(
      [d.sandboxID, d.state, d.cpuCount, d.memoryMB, d.metadata, d.lifecycle],
      [sb.sandboxID, "running", 1, 512, { who: "sdk" }, { onTimeout: "kill", autoResume: false }],
    );
    for (const k of ["startedAt", "endAt", "diskSizeMB", "clientID", "envdVersion"]) assert.ok(k in d, k);
  });

  it("lists via /v2/sandboxes with metadata and state filters and X-Next-Token", async () => {
    const mk = async () =>
      (
        (await (
          await call("POST", "/sandboxes", { templateID: "base", metadata: { l: "v2" } })
        ).json()) as Obj
      ).sandboxID as string;
    const a = await mk();
    const b = await mk();
    assert.equal((await call("POST", `/sandboxes/${b}/pause`)).status, 204);
    const q = encodeURIComponent("l=v2");
    const all = await call("GET", `/v2/sandboxes?metadata=${q}&state=running,paused`);
    assert.equal(all.status, 200);
    assert.equal(all.headers.get("x-next-token"), "");
    const items = (await all.json()) as Obj[];
    assert.deepEqual(
      items.map((s) => [s.sandboxID, s.state]),
      [
        [a, "running"],
        [b, "paused"],
      ],
    );
    const page = await call("GET", `/v2/sandboxes?metadata=${q}&limit=1`);
    assert.equal(page.headers.get("x-next-token"), a);
    const paused = (await (await call("GET", `/v2/sandboxes?metadata=${q}&state=paused`)).json()) as Obj[];
    assert.deepEqual(
      paused.map((s) => s.sandboxID),
      [b],
    );
  });

  it("pauses (204, then 409), connects (201 resumed, 200 running), sets timeout and kills (204, then 404)", async () => {
    const id = ((await (await call("POST", "/sandboxes", { templateID: "base" })).json()) as Obj).sandboxID;
    assert.equal((await call("POST", `/sandboxes/${id}/pause`, { memory: true })).status, 204);
    const again = await call("POST", `/sandboxes/${id}/pause`, {});
    assert.equal(again.status, 409);
    assert.deepEqual(await again.json(), { code: 409, message: `sandbox ${id} is paused` });
    const resumed = await call("POST", `/sandboxes/${id}/connect`, { timeout: 120 });
    assert.equal(resumed.status, 201);
    assert.equal(((await resumed.json()) as Obj).sandboxID, id);
    assert.equal((await call("POST", `/sandboxes/${id}/connect`, { timeout: 120 })).status, 200);
    assert.equal((await call("POST", `/sandboxes/${id}/timeout`, { timeout: 60 })).status, 204);
    await call("POST", `/sandboxes/${id}/pause`);
    assert.equal(
      (await call("POST", `/sandboxes/${id}/resume`, { timeout: 60, autoPause: false })).status,
      201,
    );
    assert.equal((await call("DELETE", `/sandboxes/${id}`)).status, 204);
    const gone = await call("DELETE", `/sandboxes/${id}`);
    assert.deepEqual([gone.status, ((await gone.json()) as Obj).code], [404, 404]);
  });

  it("renders errors in E2B's {code, message} shape, auth included", async () => {
    const noKey = await h.app.request("/sandboxes/sb-1");
    assert.deepEqual([noKey.status, ((await noKey.json()) as Obj).code], [401, 401]);
    const bad = await call("POST", "/sandboxes", { timeout: 5 });
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), {
      code: 400,
      message: "body.templateID: Invalid input: expected string, received undefined",
    });
    const other = await call("POST", "/sandboxes", { templateID: "base" });
    const id = ((await other.json()) as Obj).sandboxID;
    const foreign = await h.call("GET", `/sandboxes/${id}`, undefined, { "X-API-Key": h.keyB });
    assert.equal(foreign.status, 404);
  });
});
