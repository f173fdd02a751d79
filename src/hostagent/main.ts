// The host agent daemon: opens the host (state, network, cgroups, VMM), re-adopts running VMs,
// serves hostagent.v1 and /metrics. SIGTERM/SIGINT detach: VMs keep running for the next start.

import { configOrExit } from "../shared/config/index.js";
import { jsonLogger } from "../shared/log/index.js";
import { openAgent } from "./agent.js";
import { parseConfig } from "./config/index.js";
import type { Logger } from "./lifecycle/index.js";
import { startMetricsServer } from "./metrics/index.js";
import { createHostAgentServer } from "./service/index.js";

const log: Logger = jsonLogger();

async function main(): Promise<void> {
  const cfg = configOrExit(parseConfig);
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
