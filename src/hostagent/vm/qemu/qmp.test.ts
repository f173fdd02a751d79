import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { QmpClient, QmpError, type QmpEvent } from "./qmp.js";

// A scripted QMP peer: greeting, capability negotiation, replies out of order, events in between.
describe("QMP client", () => {
  let dir: string;
  let server: Server;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "qmp-"));
    server = createServer((s: Socket) => {
      s.write(
        '{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}}, "capabilities": ["oob"]}}\r\n',
      );
      let buf = "";
      let negotiated = false;
      s.on("data", (c: Buffer) => {
        buf += c.toString();
        for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
          const msg = JSON.parse(buf.slice(0, nl)) as { execute: string; id?: string; arguments?: unknown };
          buf = buf.slice(nl + 1);
          const reply = (o: object) => s.write(`${JSON.stringify({ ...o, id: msg.id })}\r\n`);
          if (msg.execute === "qmp_capabilities") {
            negotiated = true;
            reply({ return: {} });
          } else if (!negotiated) {
            reply({
              error: {
                class: "CommandNotFound",
                desc: "Expecting capabilities negotiation with 'qmp_capabilities'",
              },
            });
          } else if (msg.execute === "query-status") {
            s.write('{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "STOP"}\r\n');
            setTimeout(() => reply({ return: { status: "paused", running: false } }), 20);
          } else if (msg.execute === "echo") {
            reply({ return: msg.arguments });
          } else if (msg.execute === "hang") {
            // never answers
          } else if (msg.execute === "quit") {
            s.destroy();
          } else {
            reply({
              error: { class: "CommandNotFound", desc: `The command ${msg.execute} has not been found` },
            });
          }
        }
      });
    });
    await new Promise<void>((r) => server.listen(join(dir, "qmp.sock"), r));
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it("negotiates, matches replies by id and emits events", async () => {
    const q = await QmpClient.connect(join(dir, "qmp.sock"));
    const events: QmpEvent[] = [];
    q.on("event", (e) => events.push(e));
    const [status, echo] = await Promise.all([
      q.execute<{ status: string }>("query-status"),
      q.execute<{ a: number }>("echo", { a: 1 }),
    ]);
    assert.equal(status.status, "paused");
    assert.deepEqual(echo, { a: 1 });
    assert.equal(events[0]?.event, "STOP");
    q.close();
  });

  it("turns error replies, timeouts and disconnects into QmpError", async () => {
    const q = await QmpClient.connect(join(dir, "qmp.sock"));
    await assert.rejects(
      q.execute("bogus"),
      (e) => e instanceof QmpError && e.errorClass === "CommandNotFound",
    );
    await assert.rejects(
      q.execute("hang", undefined, 50),
      (e) => e instanceof QmpError && e.errorClass === "Timeout",
    );
    const pending = q.execute("hang");
    q.send("quit");
    await assert.rejects(pending, (e) => e instanceof QmpError && e.errorClass === "Disconnected");
    await assert.rejects(q.execute("echo"), (e) => e instanceof QmpError && e.errorClass === "Disconnected");
  });

  it("gives up when the socket never appears or the VMM is gone", async () => {
    await assert.rejects(
      QmpClient.connect(join(dir, "none.sock"), { timeoutMs: 100 }),
      (e) => e instanceof QmpError && e.errorClass === "Timeout",
    );
    await assert.rejects(
      QmpClient.connect(join(dir, "none.sock"), { timeoutMs: 5000, alive: async () => false }),
      (e) => e instanceof QmpError && e.errorClass === "Disconnected",
    );
  });
});
