// The control plane daemon: parses the environment, starts everything (server.ts) and shuts down
// gracefully on SIGTERM/SIGINT (stop accepting, finish in-flight requests, stop loops, close the DB).
import { configOrExit } from "../shared/config/index.js";
import { jsonLogger } from "../shared/log/index.js";
import { parseConfig } from "./config/index.js";
import { startControlPlane } from "./server.js";

const log = jsonLogger();

async function main(): Promise<void> {
  const cfg = configOrExit(parseConfig);
  const cp = await startControlPlane(cfg, log);
  log.info("listening", {
    url: cp.url,
    database: cp.db.embedded ? "embedded" : "postgres",
    limiter: cfg.redisUrl ? "redis" : "memory",
    agents: cfg.agents,
    pid: process.pid,
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal });
    await cp.close();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((err: unknown) => {
  log.error("fatal", { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
