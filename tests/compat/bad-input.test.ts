// Bad input and faults at envd's wire level: clear errors, no partial files,
// raw bytes preserved, bounded memory under an output flood.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { Filesystem } from "../../src/shared/gen/envd/filesystem/filesystem_pb.js";
import { Process } from "../../src/shared/gen/envd/process/process_pb.js";
import { type EnvdProcess, sandboxFor, startEnvd } from "./harness.js";

function rssMiB(pid: number | undefined): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  return kb / 1024;
}

describe("envd: bad input and faults", () => {
  let envd: EnvdProcess;
  let proc: ReturnType<typeof createClient<typeof Process>>;
  let fs: ReturnType<typeof createClient<typeof Filesystem>>;
  before(async () => {
    envd = await startEnvd();
    const transport = createConnectTransport({ baseUrl: envd.url, httpVersion: "1.1" });
    proc = createClient(Process, transport);
    fs = createClient(Filesystem, transport);
  });
  after(async () => envd?.stop());

  it("answers 404 JSON for a missing file and 400 for a directory", async () => {
    const missing = await fetch(`${envd.url}/files?path=${encodeURIComponent(`${envd.workdir}/none`)}`);
    assert.equal(missing.status, 404);
    const body = (await missing.json()) as { code: number; message: string };
    assert.equal(body.code, 404);
    assert.ok(body.message.length > 0);
    const dir = await fetch(`${envd.url}/files?path=${encodeURIComponent(envd.workdir)}`);
    assert.equal(dir.status, 400);
  });

  it("maps missing paths to not_found and directory-as-file to invalid_argument over Connect", async () => {
    await assert.rejects(fs.stat({ path: `${envd.workdir}/none` }), (e: unknown) => {
      assert.equal(ConnectError.from(e).code, Code.NotFound);
      return true;
    });
    const file = `${envd.workdir}/plain.txt`;
    const up = await fetch(`${envd.url}/files?path=${encodeURIComponent(file)}`, {
      method: "POST",
      headers: { "Content-Type": "application/octet-stream" },
      body: "x",
    });
    assert.equal(up.status, 200);
    await assert.rejects(fs.listDir({ path: file, depth: 1 }), (e: unknown) => {
      assert.equal(ConnectError.from(e).code, Code.InvalidArgument);
      return true;
    });
  });

  it("rejects malformed multipart with 400 and leaves no file", async () => {
    const target = `${envd.workdir}/mp/broken.txt`;
    const res = await fetch(`${envd.url}/files?path=${encodeURIComponent(target)}`, {
      method: "POST",
      headers: { "Content-Type": "multipart/form-data; boundary=XYZ" },
      body: '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nhalf a part with no end',
    });
    assert.equal(res.status, 400);
    assert.deepEqual(readdirSafe(`${envd.workdir}/mp`), []);
  });

  it("leaves no partial file when an upload is cut off", async () => {
    const target = `${envd.workdir}/cut/big.bin`;
    await new Promise<void>((resolve) => {
      const req = request(`${envd.url}/files?path=${encodeURIComponent(target)}`, {
        method: "POST",
        headers: { "Content-Type": "application/octet-stream", "Content-Length": String(8 << 20) },
      });
      req.on("error", () => resolve());
      req.write(Buffer.alloc(1 << 20, 1));
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 200);
    });
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(
      readdirSafe(`${envd.workdir}/cut`).filter((n) => !n.startsWith(".")),
      [],
      "no target file after an interrupted upload",
    );
    assert.deepEqual(readdirSafe(`${envd.workdir}/cut`), [], "no temp file left either");
  });

  it("passes non-UTF-8 output through as bytes", async () => {
    const chunks: Uint8Array[] = [];
    for await (const res of proc.start({
      process: { cmd: "/bin/sh", args: ["-c", "printf '\\377\\376\\000A'"], envs: {} },
      stdin: false,
    })) {
      const ev = res.event?.event;
      if (ev?.case === "data" && ev.value.output.case === "stdout") chunks.push(ev.value.output.value);
    }
    assert.deepEqual([...Buffer.concat(chunks)], [0xff, 0xfe, 0x00, 0x41]);
  });

  it("reports an unknown user clearly", async () => {
    const sbx = await sandboxFor(envd);
    await assert.rejects(sbx.commands.run("true", { user: "no-such-user-xyz" }), /no-such-user-xyz/);
  });

  it("keeps memory bounded while a process floods output", async () => {
    const before = rssMiB(envd.child.pid);
    let bytes = 0;
    let peak = before;
    for await (const res of proc.start({
      process: { cmd: "/bin/sh", args: ["-c", "head -c 300000000 /dev/zero"], envs: {} },
      stdin: false,
    })) {
      const ev = res.event?.event;
      if (ev?.case === "data") bytes += ev.value.output.value?.length ?? 0;
      if (bytes % (32 << 20) < 65536) peak = Math.max(peak, rssMiB(envd.child.pid));
    }
    assert.equal(bytes, 300000000);
    assert.ok(peak - before < 150, `envd RSS grew ${peak - before} MiB during a 300 MB flood`);
  });
});

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
