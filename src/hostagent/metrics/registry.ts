import { collectDefaultMetrics, Histogram, Registry } from "prom-client";
import { registerScrapeGauges, type ScrapeSources } from "./collectors.js";

/** CreateMethod labels create latency: a cold boot or a restore of the template snapshot. */
export type CreateMethod = "boot" | "template-snapshot";

/** HostMetricsOptions are the scrape-time sources plus whether to add Node's process metrics. */
export interface HostMetricsOptions extends ScrapeSources {
  /** defaultMetrics adds process metrics (agent RSS, CPU, event-loop lag) as wrenn_hostagent_*. */
  defaultMetrics?: boolean;
}

/** DURATION_BUCKETS span 50 ms (snapshot restore) to 30 s (cold boot under TCG), in seconds. */
export const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10, 15, 20, 30];

/** HostMetrics is the host agent's registry and the few calls the lifecycle code makes. */
export interface HostMetrics {
  readonly registry: Registry;
  observeCreate(method: CreateMethod, seconds: number): void;
  observeBoot(seconds: number): void;
  observePause(seconds: number): void;
  observeResume(seconds: number): void;
}

/**
 * createHostMetrics builds a private registry (not prom-client's global one), so several agents
 * or tests in one process never share or double-register metrics.
 */
export function createHostMetrics(opts: HostMetricsOptions = {}): HostMetrics {
  const registry = new Registry();
  registerScrapeGauges(registry, opts);
  const hist = (name: string, help: string, labelNames: string[] = []) =>
    new Histogram({ name, help, labelNames, buckets: DURATION_BUCKETS, registers: [registry] });
  const create = hist("wrenn_sandbox_create_duration_seconds", "Create until envd is ready, by method.", [
    "method",
  ]);
  const boot = hist("wrenn_sandbox_boot_duration_seconds", "Cold boot of a VM until envd is ready.");
  const pause = hist("wrenn_sandbox_pause_duration_seconds", "Pause: VMM snapshot to local disk.");
  const resume = hist(
    "wrenn_sandbox_resume_duration_seconds",
    "Resume from a local snapshot until envd answers.",
  );
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: "wrenn_hostagent_" });
  return {
    registry,
    observeCreate: (method, s) => create.observe({ method }, s),
    observeBoot: (s) => boot.observe(s),
    observePause: (s) => pause.observe(s),
    observeResume: (s) => resume.observe(s),
  };
}
