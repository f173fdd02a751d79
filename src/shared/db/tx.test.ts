import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type TestDatabase, useTestDatabase } from "../testing/index.js";
import { DbError, withTransaction } from "./index.js";

describe("withTransaction", () => {
  let db: TestDatabase;
  before(async () => {
    db = await useTestDatabase({ migrate: false });
    await db.sql`CREATE TABLE counter (n int NOT NULL)`;
    await db.sql`INSERT INTO counter VALUES (0)`;
  });
  after(async () => {
    await db?.close();
  });

  it("retries serialization failures so both racing increments land", async () => {
    let runs = 0;
    const increment = () =>
      withTransaction(
        db.sql,
        async (tx) => {
          runs++;
          const [row] = await tx<{ n: number }[]>`SELECT n FROM counter`;
          await new Promise((r) => setTimeout(r, 50));
          await tx`UPDATE counter SET n = ${(row?.n ?? 0) + 1}`;
        },
        { isolation: "serializable", attempts: 5 },
      );
    await Promise.all([increment(), increment()]);
    const [row] = await db.sql<{ n: number }[]>`SELECT n FROM counter`;
    assert.equal(row?.n, 2);
    assert.ok(runs >= 3, `one transaction was retried (${runs} runs)`);
  });

  it("does not retry other failures, and reports them as DbError with a safe public message", async () => {
    let runs = 0;
    const err = await withTransaction(db.sql, async (tx) => {
      runs++;
      await tx`INSERT INTO counter VALUES (NULL)`;
    }).catch((e: unknown) => e);
    assert.equal(runs, 1);
    assert.ok(err instanceof DbError);
    assert.equal(err.code, "invalid_input");
    assert.equal(err.publicMessage, "invalid value");
    assert.match(err.message, /counter/, "the log message keeps the detail");
  });

  it("gives up after the allowed attempts", async () => {
    let runs = 0;
    await assert.rejects(
      withTransaction(
        db.sql,
        async (tx) => {
          runs++;
          await tx.unsafe(`DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '40P01'; END $$`);
        },
        { attempts: 2 },
      ),
      { name: "DbError", code: "retryable" },
    );
    assert.equal(runs, 2);
  });
});
