import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTeam, getHost, getSandbox, registerHost } from "../../shared/models/index.js";
import { freePort, type TestDatabase, useTestDatabase } from "../../shared/testing/index.js";
import { ApiError } from "../errors.js";
import { createAgentClients } from "../hosts/index.js";
import { createLeastLoaded } from "../scheduler/index.js";
import { createSandboxService, type SandboxService } from "./index.js";

// The service against real Postgres with an agent address nobody listens on: every path that must
// not need a VM (placement, failure bookkeeping, tenancy, state checks). The VM paths run in
// tests/e2e/controlplane.test.ts.
describe("sandbox service without a reachable agent (real Postgres)", () => {
  let db: TestDatabase;
  let svc: SandboxService;
  const caller = { teamId: "", keyId: "key-test", scopes: [] };
  const input = { template: "minimal", timeout_s: 60, on_timeout: "destroy" as const, env: {}, metadata: {} };

  before(async () => {
    db = await useTestDatabase();
    caller.teamId = (await createTeam(db.sql, { name: "t" })).id;
    await registerHost(db.sql, {
      id: "h-dead",
      address: `127.0.0.1:${await freePort()}`,
      vcpus: 4,
      memMib: 4096,
      diskMib: 10_000,
    });
    const deps = {
      sql: db.sql,
      scheduler: createLeastLoaded(db.sql),
      clients: createAgentClients("t".repeat(16)),
      defaults: { vcpus: 1, memMib: 256, diskMib: 512 },
    };
    svc = createSandboxService(deps);
  });
  after(() => db.close());

  const rejectsWith = (code: string, re?: RegExp) => (e: unknown) => {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    return true;
  };

  it("records a create the agent cannot take as error, with the reason, and gives the capacity back", async () => {
    await assert.rejects(svc.create(caller, input), rejectsWith("unavailable", /create failed/));
    const page = await svc.list(caller, { limit: 10, states: ["error"] });
    assert.equal(page.items.length, 1);
    const sb = page.items[0];
    assert.equal(sb?.host_id, "h-dead");
    assert.match(sb?.error ?? "", /create failed/);
    assert.equal((await getHost(db.sql, "h-dead"))?.usedMemMib, 0);
    const audit = await db.sql`SELECT 1 FROM audit_events WHERE target = ${sb?.id ?? ""}`;
    assert.equal(audit.length, 0, "a failed create is not audited as a create");
  });

  it("validates before touching anything", async () => {
    await assert.rejects(
      svc.create(caller, { ...input, template: "../etc" }),
      rejectsWith("bad_request", /template/),
    );
    await assert.rejects(svc.create(caller, { ...input, vcpus: 0 }), rejectsWith("bad_request", /vcpus/));
    await assert.rejects(
      svc.create(caller, { ...input, memory_mib: 8192 }),
      rejectsWith("no_capacity", /no healthy host has 8192 MiB/),
    );
  });

  it("keeps other teams' sandboxes invisible and refuses wrong-state actions", async () => {
    const [sb] = (await svc.list(caller, { limit: 1 })).items;
    const id = sb?.id ?? "";
    const stranger = { ...caller, teamId: "tm-other" };
    await assert.rejects(svc.get(stranger, id), rejectsWith("not_found"));
    await assert.rejects(svc.destroy(stranger, id), rejectsWith("not_found"));
    await assert.rejects(svc.get(caller, "not-an-id"), rejectsWith("not_found"));
    await assert.rejects(svc.pause(caller, id), rejectsWith("conflict", /is error, not running/));
    await assert.rejects(svc.resume(caller, id), rejectsWith("conflict", /not paused/));
    await assert.rejects(svc.envdRoute(caller, id), rejectsWith("conflict"));
    const it = svc.exec(
      caller,
      id,
      { cmd: "true", args: [], shell: true, env: {}, timeout_s: 5 },
      AbortSignal.timeout(5000),
    );
    await assert.rejects(it[Symbol.asyncIterator]().next(), rejectsWith("conflict"));
  });

  it("will not mark a sandbox destroyed while its agent cannot confirm it", async () => {
    const [sb] = (await svc.list(caller, { limit: 1, states: ["error"] })).items;
    await assert.rejects(svc.destroy(caller, sb?.id ?? ""), rejectsWith("unavailable"));
    assert.equal((await getSandbox(db.sql, caller.teamId, sb?.id ?? ""))?.state, "error");
    assert.equal((await getHost(db.sql, "h-dead"))?.usedMemMib, 0);
  });
});
