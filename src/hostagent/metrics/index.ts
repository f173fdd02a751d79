// metrics is the host agent's door to Prometheus: a private registry with sandbox, latency and
// capacity families, fed at scrape time from callbacks, and a small `/metrics` HTTP server.
export type { HostCapacity, SandboxUsageSample, ScrapeSources, Source } from "./collectors.js";
export {
  type CreateMethod,
  createHostMetrics,
  DURATION_BUCKETS,
  type HostMetrics,
  type HostMetricsOptions,
} from "./registry.js";
export { type MetricsServer, type MetricsServerOptions, startMetricsServer } from "./server.js";
