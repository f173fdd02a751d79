// Single-node mode (`make dev`): embedded PGlite unless DATABASE_URL is set, in-process limiter unless
// REDIS_URL is set, a host agent child process (QEMU driver, state in .state/agent), migrations, a
// first API key printed as one line `WRENN_API_KEY=wrn_…`, and the API URL.
// `dev.ts seed` (`make dev-seed`) only migrates the configured database and prints the key.
// The agent started here works in this machine's root network namespace (a user's own machine);
// tests never use this file: they run the agent with WRENN_HOST_NETNS in a netns they created.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { migrateUp, openDatabase, type Pool } from "../shared/db/index.js";
import { randomHex } from "../shared/id/index.js";
import { jsonLogger } from "../shared/log/index.js";
import { createKey, DEFAULT_TEAM, ensureBootstrapKey } from "./auth/index.js";
import { ConfigError, parseConfig } from "./config/index.js";
import { startControlPlane } from "./server.js";

const ROOT = resolve(import.meta.dirname, "../..");
/** STATE holds the agent state, its log and the saved dev key (WRENN_DEV_STATE_DIR moves it, e.g. for tests). */
const STATE = resolve(process.env.WRENN_DEV_STATE_DIR ?? resolve(ROOT, ".state"));
const KEY_FILE = resolve(STATE, "api-key");
const log = jsonLogger();

/**
 * bootstrapKey returns the key to print: WRENN_API_KEY if set (registered idempotently), else the key
 * an earlier `make dev` saved in .state/api-key, else a new one (saved there, 0600, for next time).
 */
async function bootstrapKey(sql: Pool, fromEnv: string | undefined): Promise<string> {
  const saved = fromEnv ? undefined : (await readFile(KEY_FILE, "utf8").catch(() => "")).trim() || undefined;
  const r = await ensureBootstrapKey(sql, fromEnv ?? saved).catch(async (err: unknown) => {
    if (fromEnv || !saved) throw err;
    return ensureBootstrapKey(sql); // the saved key was revoked: fall back to a fresh one
  });
  const key = r.key ?? (await createKey(sql, { teamId: DEFAULT_TEAM.id, name: "dev" })).key;
  if (!fromEnv) {
    await mkdir(STATE, { recursive: true });
    await writeFile(KEY_FILE, `${key}\n`, { mode: 0o600 });
    await chmod(KEY_FILE, 0o600);
  }
  return key;
}

/** startAgent runs src/hostagent/main.ts and resolves with its address once it logs "listening". */
async function startAgent(token: string): Promise<{ proc: ChildProcess; address: string }> {
  await mkdir(resolve(STATE, "agent"), { recursive: true });
  const logFile = resolve(STATE, "agent.log");
  const out = createWriteStream(logFile, { flags: "a" });
  const proc = spawn(process.execPath, ["--import", "tsx", resolve(ROOT, "src/hostagent/main.ts")], {
    cwd: ROOT,
    env: {
      ...process.env,
      WRENN_AGENT_TOKEN: token,
      WRENN_AGENT_LISTEN: process.env.WRENN_AGENT_LISTEN ?? "127.0.0.1:0",
      WRENN_AGENT_METRICS_LISTEN: process.env.WRENN_AGENT_METRICS_LISTEN ?? "127.0.0.1:0",
      WRENN_STATE_DIR: process.env.WRENN_STATE_DIR ?? resolve(STATE, "agent"),
      WRENN_IMAGES_DIR: process.env.WRENN_IMAGES_DIR ?? resolve(ROOT, "images/build"),
      WRENN_VMM: process.env.WRENN_VMM ?? "qemu",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stderr?.pipe(out);
  return new Promise((res, rej) => {
    const rl = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
    rl.on("line", (line) => {
      out.write(`${line}\n`);
      try {
        const rec = JSON.parse(line) as { msg?: string; port?: number };
        if (rec.msg === "listening") res({ proc, address: `127.0.0.1:${rec.port}` });
      } catch {
        // not a log record
      }
    });
    proc.once("exit", (code) =>
      rej(new Error(`host agent exited (${code}) before listening; see ${logFile}`)),
    );
  });
}

async function seed(): Promise<void> {
  const cfg = parseConfig(process.env);
  const db = await openDatabase({ url: cfg.databaseUrl, embeddedDataDir: cfg.pgliteDir });
  try {
    await migrateUp(db.sql);
    process.stdout.write(`WRENN_API_KEY=${await bootstrapKey(db.sql, cfg.apiKey)}\n`);
  } finally {
    await db.close();
  }
}

async function dev(): Promise<void> {
  const external = process.env.WRENN_AGENTS;
  const token = process.env.WRENN_AGENT_TOKEN || randomHex(24);
  const agent = external ? undefined : await startAgent(token);
  const cfg = parseConfig({
    ...process.env,
    WRENN_AGENTS: external ?? agent?.address,
    WRENN_AGENT_TOKEN: token,
    WRENN_SCHEDULER: process.env.WRENN_SCHEDULER ?? "single",
  });
  const cp = await startControlPlane(cfg, log);
  process.stdout.write(`WRENN_API_KEY=${await bootstrapKey(cp.db.sql, cfg.apiKey)}\n`);
  process.stdout.write(
    `Wrenn API: ${cp.url}/v1 (docs ${cp.url}/docs); host agent log: ${resolve(STATE, "agent.log")}\n`,
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await cp.close();
    if (agent && agent.proc.exitCode === null) {
      agent.proc.kill("SIGTERM"); // the agent detaches: its VMs keep running and are re-adopted next time
      await once(agent.proc, "exit");
    }
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
  agent?.proc.once("exit", (code) => {
    if (stopping) return;
    log.error("host agent exited; stopping", { code });
    void stop();
  });
}

(process.argv[2] === "seed" ? seed() : dev()).catch((err: unknown) => {
  if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
  else log.error("fatal", { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
