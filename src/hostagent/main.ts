// The host agent daemon: opens the host (state, network, cgroups, VMM), re-adopts running VMs,
// serves hostagent.v1 and /metrics. SIGTERM/SIGINT detach: VMs keep running for the next start.
import { openAgent } from "./agent.js";
import { ConfigError, parseConfig } from "./config/index.js";
import type { Logger } from "./lifecycle/index.js";
import { startMetricsServer } from "./metrics/index.js";
import { createHostAgentServer } from "./service/index.js";

const line =
  (level: string) =>
  (msg: string, fields: Record<string, unknown> = {}) =>
    process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), level, msg, ...fields })}\n`);
const log: Logger = { info: line("info"), warn: line("warn") };

async function main(): Promise<void> {
  let cfg: ReturnType<typeof parseConfig>;
  try {
    cfg = parseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const agent = await openAgent(cfg, log);
  log.info("recovered", { ...agent.manager.recovery });
  const server = createHostAgentServer({ manager: agent.manager, token: cfg.token, defaults: cfg.defaults });
  const port = await server.listen(cfg.listen.port, cfg.listen.host);
  const metrics = await startMetricsServer({
    registry: agent.metrics.registry,
    port: cfg.metricsListen.port,
    host: cfg.metricsListen.host,
  });
  log.info("listening", {
    host: cfg.listen.host,
    port,
    metrics: metrics.url,
    vmm: cfg.vmm,
    pid: process.pid,
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down; sandboxes keep running", { signal });
    agent.manager.drain();
    await server.close();
    await metrics.close().catch(() => {});
    await agent.detach();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((err: unknown) => {
  log.warn("fatal", { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
