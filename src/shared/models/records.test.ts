import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Pool } from "../db/index.js";
import { type TestDatabase, useTestDatabase } from "../testing/index.js";
import {
  createTeam,
  enqueueBilling,
  ensureTeam,
  getTeam,
  listAudit,
  markBillingSent,
  pendingBilling,
  recordAudit,
} from "./index.js";

describe("teams, audit and billing outbox", () => {
  let db: TestDatabase;
  let sql: Pool;

  before(async () => {
    db = await useTestDatabase();
    sql = db.sql;
  });
  after(async () => {
    await db?.close();
  });

  it("creates teams with tm- ids; ensureTeam is idempotent; a duplicate id is a conflict", async () => {
    const t = await createTeam(sql, { name: "acme" });
    assert.match(t.id, /^tm-[0-9a-f]{16}$/);
    assert.deepEqual(await getTeam(sql, t.id), t);
    const d1 = await ensureTeam(sql, { id: "tm-default", name: "default" });
    const d2 = await ensureTeam(sql, { id: "tm-default", name: "renamed?" });
    assert.deepEqual(d1, d2);
    await assert.rejects(createTeam(sql, { id: t.id, name: "again" }), { code: "conflict" });
  });

  it("records audit events and lists them newest first per team", async () => {
    const t = await createTeam(sql, { name: "audited" });
    await recordAudit(sql, {
      teamId: t.id,
      actor: "key:k1",
      action: "sandbox.create",
      target: "sb-00000001",
    });
    await recordAudit(sql, {
      teamId: t.id,
      actor: "key:k1",
      action: "sandbox.exec",
      target: "sb-00000001",
      data: { cmd: "ls" },
    });
    await recordAudit(sql, { teamId: null, actor: "system", action: "host.unhealthy", target: "h1" });
    const events = await listAudit(sql, t.id);
    assert.deepEqual(
      events.map((e) => e.action),
      ["sandbox.exec", "sandbox.create"],
    );
    assert.deepEqual(events[0]?.data, { cmd: "ls" });
  });

  it("keeps billing events until marked sent, in order, committed with their transaction", async () => {
    const t = await createTeam(sql, { name: "billed" });
    await enqueueBilling(sql, { teamId: t.id, event: "sandbox.seconds", payload: { seconds: 10 } });
    await assert.rejects(
      sql.begin(async (tx) => {
        await enqueueBilling(tx, { teamId: t.id, event: "lost", payload: {} });
        throw new Error("rollback");
      }),
      /rollback/,
    );
    await enqueueBilling(sql, { teamId: t.id, event: "sandbox.seconds", payload: { seconds: 5 } });
    const pending = await pendingBilling(sql);
    assert.deepEqual(
      pending.map((e) => e.payload.seconds),
      [10, 5],
    );
    await markBillingSent(sql, [pending[0]?.id ?? ""]);
    assert.deepEqual(
      (await pendingBilling(sql)).map((e) => e.id),
      [pending[1]?.id],
    );
  });
});
