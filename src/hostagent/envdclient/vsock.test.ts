import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { EnvdError, vsockUdsDialer } from "./index.js";

// A small fake of Firecracker's host-side vsock UDS (docs/vsock.md): the host writes
// "CONNECT <port>\n", Firecracker answers "OK <host port>\n" or closes when nothing listens.
describe("hybrid vsock CONNECT handshake (fake UDS server)", () => {
  let dir: string;
  let server: Server;
  const seen: string[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "vsock-"));
    server = createServer((s: Socket) => {
      let buf = "";
      s.on("data", (c: Buffer) => {
        buf += c.toString("latin1");
        const nl = buf.indexOf("\n");
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        seen.push(line);
        if (line === "CONNECT 52")
          s.end(); // nothing listens on 52
        else if (line === "CONNECT 53") s.write("NOPE\n");
        // OK plus the first guest bytes in the same segment: the dialer must not lose them.
        else if (line === "CONNECT 5000") s.write("OK 1073741825\nhello from guest");
        else s.destroy();
      });
    });
    await new Promise<void>((r) => server.listen(join(dir, "v.sock"), r));
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it("sends CONNECT <port> and keeps bytes that follow OK", async () => {
    const s = await vsockUdsDialer(join(dir, "v.sock")).connect(5000);
    const first = await new Promise<Buffer>((r) => s.once("data", r));
    assert.equal(first.toString(), "hello from guest");
    assert.ok(seen.includes("CONNECT 5000"));
    s.destroy();
  });

  it("fails with handshake_failed when the guest port is closed or the reply is wrong", async () => {
    const d = vsockUdsDialer(join(dir, "v.sock"));
    await assert.rejects(d.connect(52), (e) => e instanceof EnvdError && e.code === "handshake_failed");
    await assert.rejects(d.connect(53), (e) => e instanceof EnvdError && /NOPE/.test(e.message));
  });

  it("fails with dial_failed when the socket does not exist", async () => {
    await assert.rejects(
      vsockUdsDialer(join(dir, "missing.sock")).connect(1),
      (e) => e instanceof EnvdError && e.code === "dial_failed",
    );
  });
});
