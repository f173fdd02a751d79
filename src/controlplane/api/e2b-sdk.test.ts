import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Sandbox } from "e2b";
import { type EnvdProcess, startEnvd } from "../../../tests/compat/harness.js";
import { type ApiServer, serveApi } from "./index.js";
import { type ApiHarness, useApiHarness } from "./testing/harness.js";

// The official `e2b` SDK (unmodified) against this API on a loopback port, with envd reached through
// the pass-through: the in-memory SandboxService double routes every sandbox to one debug-mode envd.
describe("official E2B SDK against the API", () => {
  let envd: EnvdProcess;
  let h: ApiHarness;
  let server: ApiServer;
  let apiKey: string;
  const saved = process.env.E2B_API_URL;

  before(async () => {
    envd = await startEnvd();
    const route = () => ({ baseUrl: envd.url, agentToken: "agent-token-test" });
    h = await useApiHarness({ envdRoute: route, publicEnvdRoute: async () => route() });
    server = await serveApi(h.app, { port: 0 });
    process.env.E2B_API_URL = server.url;
    apiKey = h.keyA.replace(/^wrn_/, "e2b_");
  });
  after(async () => {
    if (saved === undefined) delete process.env.E2B_API_URL;
    else process.env.E2B_API_URL = saved;
    await server?.close();
    await h?.close();
    await envd?.stop();
  });

  it("creates, runs a command through the envd pass-through, lists, pauses, connects and kills", async () => {
    const sb = await Sandbox.create("base", { apiKey, sandboxUrl: server.url, metadata: { suite: "sdk" } });
    assert.match(sb.sandboxId, /^sb-/);
    const run = await sb.commands.run("echo hello-from-envd");
    assert.deepEqual([run.exitCode, run.stdout], [0, "hello-from-envd\n"]);
    await sb.files.write(`${envd.workdir}/note.txt`, "via the control plane");
    assert.equal(await sb.files.read(`${envd.workdir}/note.txt`), "via the control plane");

    const listed = await Sandbox.list({ apiKey, query: { metadata: { suite: "sdk" } } }).nextItems();
    assert.deepEqual(
      listed.map((s) => [s.sandboxId, s.state]),
      [[sb.sandboxId, "running"]],
    );
    const info = await sb.getInfo();
    assert.deepEqual([info.state, info.templateId], ["running", "base"]);
    await sb.setTimeout(120_000);
    assert.equal(await Sandbox.betaPause(sb.sandboxId, { apiKey }), true);
    const again = await Sandbox.connect(sb.sandboxId, { apiKey, sandboxUrl: server.url });
    assert.equal((await again.getInfo()).state, "running");
    assert.equal(await sb.kill(), true);
    assert.equal(await Sandbox.kill(sb.sandboxId, { apiKey }), false, "a killed sandbox is gone");
  });
});
