import { execFile, execFileSync } from "node:child_process";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { connectDb, migrateUp, type Pool } from "../db/index.js";
import { randomHex } from "../id/index.js";
import { freePort } from "./free-port.js";

const run = promisify(execFile);

/** PG_BIN is Debian's postgresql-15 server binaries (override with WRENN_PG_BIN). */
const PG_BIN = process.env.WRENN_PG_BIN ?? "/usr/lib/postgresql/15/bin";

/** PgServer is a throwaway Postgres cluster on loopback; url reaches its `postgres` database. */
export interface PgServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** asOwner runs a server binary as `postgres` when we are root (initdb and postgres refuse root). */
function asOwner(bin: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
}

/**
 * startPostgres initdb's a cluster in a temp dir and starts it on 127.0.0.1:<free port> with its unix
 * socket in that dir and durability off (tests only). It is stopped and deleted on stop() or exit.
 */
export async function startPostgres(): Promise<PgServer> {
  const dir = await mkdtemp(join(tmpdir(), "wrenn-pg-"));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    await chown(dir, uid, gid);
  }
  const data = join(dir, "data");
  const pgCtl = join(PG_BIN, "pg_ctl");
  const initdb = asOwner(join(PG_BIN, "initdb"), [
    ...["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"],
  ]);
  await run(initdb[0], initdb[1]);
  const port = await freePort();
  const opts = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off \
-c full_page_writes=off -c max_connections=200`;
  const start = asOwner(pgCtl, ["-D", data, "-l", join(dir, "log"), "-w", "-t", "60", "-o", opts, "start"]);
  await run(start[0], start[1]);
  const stopArgs = asOwner(pgCtl, ["-D", data, "-m", "immediate", "-w", "stop"]);
  let stopped = false;
  const onExit = () => {
    if (stopped) return;
    try {
      execFileSync(stopArgs[0], stopArgs[1], { stdio: "ignore" });
      execFileSync("rm", ["-rf", dir]);
    } catch {
      // best effort at exit: nothing left to report to
    }
  };
  process.once("exit", onExit);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off("exit", onExit);
      await run(stopArgs[0], stopArgs[1]).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** TestDatabase is a fresh database (optionally migrated) on a shared or private test server. */
export interface TestDatabase {
  readonly url: string;
  readonly sql: Pool;
  close(): Promise<void>;
}

/** privateServer is this process's own cluster when no shared one is configured (stopped at exit). */
let privateServer: Promise<PgServer> | null = null;

/**
 * useTestDatabase creates an empty database `wrenn_test_<hex>` on the server in WRENN_TEST_DATABASE_URL
 * (started once for a whole run by `make test-controlplane`) or, when unset, on a cluster this process
 * starts on first use, so each test file is isolated and also runs on its own. close() drops the database.
 */
export async function useTestDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  let adminUrl = process.env.WRENN_TEST_DATABASE_URL;
  if (!adminUrl) {
    privateServer ??= startPostgres();
    adminUrl = (await privateServer).url;
  }
  const admin = connectDb(adminUrl, { max: 1 });
  const name = `wrenn_test_${randomHex(6)}`;
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const sql = connectDb(url.toString(), { max: 10 });
  if (opts.migrate !== false) await migrateUp(sql);
  return {
    url: url.toString(),
    sql,
    async close() {
      await sql.end({ timeout: 5 });
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end({ timeout: 5 });
    },
  };
}
