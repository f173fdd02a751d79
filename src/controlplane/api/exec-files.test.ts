import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type ApiHarness, useApiHarness } from "./testing/harness.js";

const MiB = 1 << 20;

/** sseEvents parses a text/event-stream body into [event, data] pairs. */
function sseEvents(body: string): [string, Record<string, unknown>][] {
  return body
    .split("\n\n")
    .filter((f) => f.trim() !== "")
    .map((f) => {
      const ev = /^event: (.+)$/m.exec(f)?.[1] ?? "";
      const data = /^data: (.+)$/m.exec(f)?.[1] ?? "{}";
      return [ev, JSON.parse(data) as Record<string, unknown>];
    });
}

describe("exec and files", () => {
  let h: ApiHarness;
  let id: string;
  before(async () => {
    h = await useApiHarness();
    const r = await h.call("POST", "/v1/sandboxes", { template: "m" });
    id = ((await r.json()) as { id: string }).id;
  });
  after(async () => {
    await h?.close();
  });

  it("runs a shell string and returns the JSON result", async () => {
    const r = await h.call("POST", `/v1/sandboxes/${id}/exec`, { cmd: "echo hi; err oops; exit 3" });
    assert.equal(r.status, 200);
    const res = (await r.json()) as Record<string, unknown>;
    assert.deepEqual(
      [res.exit_code, res.stdout, res.stderr, res.status, res.truncated],
      [3, "hi\n", "oops\n", "exit status 3", false],
    );
    assert.equal(typeof res.duration_ms, "number");
    assert.equal("stdout_b64" in res, false);
  });

  it("passes args, env and base64 stdin, and adds base64 when output is not UTF-8", async () => {
    const stdin = Buffer.from("from stdin").toString("base64");
    const r = await h.call("POST", `/v1/sandboxes/${id}/exec`, { cmd: "cat", args: [], stdin });
    assert.equal(((await r.json()) as { stdout: string }).stdout, "from stdin");
    const e = await h.call("POST", `/v1/sandboxes/${id}/exec`, { cmd: "env FOO", env: { FOO: "bar" } });
    assert.equal(((await e.json()) as { stdout: string }).stdout, "bar\n");
    const b = await h.call("POST", `/v1/sandboxes/${id}/exec`, { cmd: "hex ff00fe" });
    const res = (await b.json()) as { stdout: string; stdout_b64: string };
    assert.equal(Buffer.from(res.stdout_b64, "base64").toString("hex"), "ff00fe");
    assert.equal(res.stdout, "\ufffd\u0000\ufffd");
    const bad = await h.call("POST", `/v1/sandboxes/${id}/exec`, { cmd: "x", stdin: "***" });
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /^body\.stdin: /);
  });

  it("streams start, stdout, stderr and exit as Server-Sent Events with base64 data", async () => {
    const r = await h.call(
      "POST",
      `/v1/sandboxes/${id}/exec`,
      { cmd: "echo one; err two; exit 0" },
      { Accept: "text/event-stream" },
    );
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /^text\/event-stream/);
    const events = sseEvents(await r.text());
    assert.deepEqual(
      events.map(([e]) => e),
      ["start", "stdout", "stderr", "exit"],
    );
    assert.equal(typeof events[0]?.[1].pid, "number");
    assert.equal(Buffer.from(String(events[1]?.[1].data), "base64").toString(), "one\n");
    assert.equal(Buffer.from(String(events[2]?.[1].data), "base64").toString(), "two\n");
    assert.deepEqual([events[3]?.[1].exit_code, events[3]?.[1].error], [0, ""]);
    const ended = new Promise<boolean>((resolve) => {
      h.svc.hooks.onExecEnd = resolve;
    });
    const long = await h.call(
      "POST",
      `/v1/sandboxes/${id}/exec`,
      { cmd: "big 100000000" },
      { Accept: "text/event-stream" },
    );
    const reader = long.body?.getReader();
    assert.ok((await reader?.read())?.value, "first event arrives before the command ends");
    await reader?.cancel();
    assert.equal(await ended, true, "a client that goes away aborts the exec");
    h.svc.hooks.onExecEnd = undefined;
    const missing = await h.call(
      "POST",
      "/v1/sandboxes/sb-ffffffff/exec",
      { cmd: "echo" },
      { Accept: "text/event-stream" },
    );
    assert.equal(missing.status, 404, "errors before the first event keep their status");
  });

  it("uploads 20 MiB streamed (the service sees bytes before the body ends) and downloads it streamed", async () => {
    const total = 20 * MiB;
    const chunk = Buffer.alloc(MiB);
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7) % 251;
    let sentAll = false;
    let seenBeforeEnd = 0;
    h.svc.hooks.onWriteChunk = (n) => {
      if (!sentAll) seenBeforeEnd = Math.max(seenBeforeEnd, n);
    };
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(ctl) {
        if (sent >= total) {
          sentAll = true;
          ctl.close();
          return;
        }
        ctl.enqueue(new Uint8Array(chunk));
        sent += chunk.length;
        await new Promise((r) => setImmediate(r));
      },
    });
    const up = await h.app.request(`/v1/sandboxes/${id}/files?path=/data/big.bin`, {
      method: "PUT",
      headers: { "X-API-Key": h.keyA, "Content-Type": "application/octet-stream" },
      body,
      duplex: "half",
    } as RequestInit);
    assert.equal(up.status, 201);
    assert.deepEqual(await up.json(), { path: "/data/big.bin", bytes: total });
    assert.ok(seenBeforeEnd > 0, "the service consumed chunks while the client was still sending");

    let release: () => void = () => {};
    h.svc.hooks.readGate = new Promise<void>((r) => {
      release = r;
    });
    const down = await h.call("GET", `/v1/sandboxes/${id}/files/data/big.bin`);
    assert.equal(down.status, 200);
    assert.equal(down.headers.get("content-length"), String(total));
    assert.ok(
      down.headers.get("x-request-id") && down.headers.get("x-ratelimit-remaining"),
      "stamped on streams",
    );
    const reader = down.body?.getReader();
    assert.ok(reader);
    const first = await reader.read();
    assert.ok(
      first.value && first.value.byteLength > 0,
      "first bytes arrive while the service is still held",
    );
    release();
    const hash = createHash("sha256").update(first.value);
    let got = first.value.byteLength;
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      hash.update(r.value);
      got += r.value.byteLength;
    }
    const want = createHash("sha256");
    for (let i = 0; i < 20; i++) want.update(chunk);
    assert.deepEqual([got, hash.digest("hex")], [total, want.digest("hex")]);
    h.svc.hooks.readGate = undefined;
  });

  it("answers 404 for a missing file and 400 for an upload without a path", async () => {
    const r = await h.call("GET", `/v1/sandboxes/${id}/files/no/such/file`);
    assert.equal(r.status, 404);
    assert.match(((await r.json()) as { error: { message: string } }).error.message, /no such file/);
    const noPath = await h.call("PUT", `/v1/sandboxes/${id}/files`, "x");
    assert.match(((await noPath.json()) as { error: { message: string } }).error.message, /^query\.path: /);
  });
});
