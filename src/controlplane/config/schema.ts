import { hostname } from "node:os";
import { z } from "zod";
import { ConfigError, hostPortVar, intVar, parseEnv, splitHostPort } from "../../shared/config/index.js";

/** ControlPlaneConfig is the control plane's configuration, parsed once at start-up and passed down. */
export interface ControlPlaneConfig {
  /** databaseUrl selects Postgres; undefined runs the embedded PGlite in pgliteDir. */
  databaseUrl: string | undefined;
  pgliteDir: string;
  /** redisUrl enables the shared Redis limiter; undefined uses an in-process one (single node). */
  redisUrl: string | undefined;
  listen: { host: string; port: number };
  /** agents are host-agent addresses (host:port) this control plane registers and polls. */
  agents: string[];
  agentToken: string | undefined;
  scheduler: "single" | "least-loaded";
  apiKey: string | undefined;
  rateLimit: { burst: number; perSec: number };
  lifecycleIntervalS: number;
  heartbeatIntervalS: number;
  hostStaleAfterS: number;
  /** replicaId names this process in lifecycle leases (debugging stuck leases). */
  replicaId: string;
  defaults: { vcpus: number; memMib: number; diskMib: number };
}

const num = (min: number) => z.coerce.number({ message: "must be a number" }).min(min, `must be ≥ ${min}`);
const hostPort = hostPortVar("127.0.0.1:8000");
const url = (schemes: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return schemes.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `must be a ${schemes.map((s) => s.replace(":", "://")).join(" or ")} URL`,
  );

/** envSchema maps each variable to its field; .env.example documents every one. */
const envSchema = z.object({
  DATABASE_URL: url(["postgres:", "postgresql:"]).optional(),
  WRENN_PGLITE_DIR: z.string().min(1).default(".state/pglite"),
  REDIS_URL: url(["redis:", "rediss:"]).optional(),
  WRENN_LISTEN: hostPort.default("127.0.0.1:8000"),
  WRENN_AGENTS: z
    .string()
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim().replace(/^https?:\/\//, ""))
        .filter(Boolean),
    )
    .pipe(z.array(hostPort))
    .default([]),
  WRENN_AGENT_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  WRENN_SCHEDULER: z
    .enum(["single", "least-loaded"], { message: "must be single or least-loaded" })
    .default("least-loaded"),
  WRENN_API_KEY: z
    .string()
    .regex(/^wrn_[0-9a-f]{32,64}$/, "must be wrn_ + 32-64 lowercase hex")
    .optional(),
  WRENN_RATE_LIMIT_BURST: intVar(1, 1_000_000).default(200),
  WRENN_RATE_LIMIT_PER_SEC: num(0.001).default(50),
  WRENN_LIFECYCLE_INTERVAL_S: num(0.1).default(5),
  WRENN_HEARTBEAT_INTERVAL_S: num(0.1).default(3),
  WRENN_HOST_STALE_AFTER_S: intVar(1, 3600).default(15),
  WRENN_REPLICA_ID: z.string().min(1).default(`${hostname()}-${process.pid}`),
  WRENN_SANDBOX_VCPUS: intVar(1, 32).default(1),
  WRENN_SANDBOX_MEMORY_MIB: intVar(64, 262144).default(256),
  WRENN_SANDBOX_DISK_MIB: intVar(64, 1048576).default(1024),
});

/** parseConfig validates the environment (unset and empty variables take their defaults). */
export function parseConfig(env: Record<string, string | undefined>): ControlPlaneConfig {
  const e = parseEnv(envSchema, env, "control plane");
  if (e.WRENN_AGENTS.length > 0 && !e.WRENN_AGENT_TOKEN) {
    throw new ConfigError("control plane", ["WRENN_AGENT_TOKEN: is required when WRENN_AGENTS is set"]);
  }
  return {
    databaseUrl: e.DATABASE_URL,
    pgliteDir: e.WRENN_PGLITE_DIR,
    redisUrl: e.REDIS_URL,
    listen: splitHostPort(e.WRENN_LISTEN),
    agents: e.WRENN_AGENTS,
    agentToken: e.WRENN_AGENT_TOKEN,
    scheduler: e.WRENN_SCHEDULER,
    apiKey: e.WRENN_API_KEY,
    rateLimit: { burst: e.WRENN_RATE_LIMIT_BURST, perSec: e.WRENN_RATE_LIMIT_PER_SEC },
    lifecycleIntervalS: e.WRENN_LIFECYCLE_INTERVAL_S,
    heartbeatIntervalS: e.WRENN_HEARTBEAT_INTERVAL_S,
    hostStaleAfterS: e.WRENN_HOST_STALE_AFTER_S,
    replicaId: e.WRENN_REPLICA_ID,
    defaults: {
      vcpus: e.WRENN_SANDBOX_VCPUS,
      memMib: e.WRENN_SANDBOX_MEMORY_MIB,
      diskMib: e.WRENN_SANDBOX_DISK_MIB,
    },
  };
}
