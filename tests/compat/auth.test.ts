// Access-token auth as the official E2B SDK uses it: X-Access-Token on every call,
// signed URLs for /files when no header is sent.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Sandbox } from "e2b";
import { type EnvdProcess, startEnvd } from "./harness.js";

const token = "wrenn-compat-token-0123456789";

describe("e2b SDK: secured sandbox", () => {
  let envd: EnvdProcess;
  let version: string;
  before(async () => {
    envd = await startEnvd();
    const res = await fetch(`${envd.url}/init`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ accessToken: token, envVars: { WRENN_INIT_VAR: "from-init" } }),
    });
    assert.equal(res.status, 204);
    version = res.headers.get("x-envd-version") ?? "";
    assert.match(version, /^\d+\.\d+\.\d+$/);
  });
  after(async () => envd?.stop());

  function sandbox(accessToken?: string): Sandbox {
    return new Sandbox({
      sandboxId: "compat",
      envdVersion: version,
      envdAccessToken: accessToken,
      debug: true,
      sandboxUrl: envd.url,
    });
  }

  it("accepts the right token and applies /init env vars", async () => {
    const r = await sandbox(token).commands.run("echo $WRENN_INIT_VAR");
    assert.equal(r.stdout, "from-init\n");
    const envs = await fetch(`${envd.url}/envs`, { headers: { "X-Access-Token": token } });
    assert.deepEqual(await envs.json(), { WRENN_INIT_VAR: "from-init" });
  });

  it("rejects a missing or wrong token", async () => {
    await assert.rejects(sandbox().commands.run("true"));
    await assert.rejects(sandbox("wrong").commands.run("true"));
    await assert.rejects(sandbox("wrong").files.list("/"));
    const res = await fetch(`${envd.url}/envs`);
    assert.equal(res.status, 401);
    const body = (await res.json()) as { code: number; message: string };
    assert.equal(body.code, 401);
  });

  it("serves signed upload and download URLs without the header", async () => {
    const sbx = sandbox(token);
    const path = `${envd.workdir}/signed.txt`;
    const up = await sbx.uploadUrl(path);
    const form = new FormData();
    form.append("file", new Blob(["signed body"]), path);
    const put = await fetch(up, { method: "POST", body: form });
    assert.equal(put.status, 200, await put.clone().text());
    const down = await sbx.downloadUrl(path, { useSignatureExpiration: 60 });
    const got = await fetch(down);
    assert.equal(got.status, 200);
    assert.equal(await got.text(), "signed body");
    const tampered = new URL(down);
    tampered.searchParams.set("signature", "v1_bogus");
    assert.equal((await fetch(tampered)).status, 401);
  });

  it("refuses to change the token without presenting the current one", async () => {
    const res = await fetch(`${envd.url}/init`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ accessToken: "hijack" }),
    });
    assert.equal(res.status, 401);
    const r = await sandbox(token).commands.run("echo still-mine");
    assert.equal(r.stdout, "still-mine\n");
  });
});
