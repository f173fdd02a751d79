// server wires the control plane from its config: database (migrated), limiter, host registry,
// scheduler, sandbox service, lifecycle loop and the REST API on an HTTP server.
import type { Redis } from "ioredis";
import { type Database, migrateUp, openDatabase } from "../shared/db/index.js";
import { jsonLogger, type Logger } from "../shared/log/index.js";
import { createApi, serveApi } from "./api/index.js";
import { ensureBootstrapKey, verifyKey } from "./auth/index.js";
import type { ControlPlaneConfig } from "./config/index.js";
import { createAgentClients, createHostRegistry, type HostRegistry } from "./hosts/index.js";
import { createLifecycleLoop, type LifecycleLoop } from "./lifecycle/index.js";
import {
  connectRedis,
  createMemoryRateLimiter,
  createRedisRateLimiter,
  type RateLimiter,
} from "./ratelimit/index.js";
import { createSandboxService, publicEnvdRoute, type ServiceDeps, toApiError } from "./sandboxes/index.js";
import { createLeastLoaded, createSingleHost } from "./scheduler/index.js";

export type { Logger } from "../shared/log/index.js";

/** ControlPlane is a running control plane; close() stops it in dependency order. */
export interface ControlPlane {
  readonly url: string;
  readonly db: Database;
  readonly registry: HostRegistry;
  readonly lifecycle: LifecycleLoop;
  close(): Promise<void>;
}

/** openLimiter picks Redis (shared by replicas) when REDIS_URL is set, else an in-process limiter. */
async function openLimiter(
  cfg: ControlPlaneConfig,
  log: Logger,
): Promise<{ limiter: RateLimiter; redis?: Redis }> {
  const policy = { capacity: cfg.rateLimit.burst, refillPerSec: cfg.rateLimit.perSec };
  if (!cfg.redisUrl) return { limiter: createMemoryRateLimiter(policy) };
  const redis = await connectRedis(cfg.redisUrl);
  const limiter = createRedisRateLimiter(redis, policy, {
    onError: (err) => log.warn("rate limiter: redis failed, request allowed", { error: String(err) }),
  });
  return { limiter, redis };
}

/**
 * startControlPlane opens everything the config names, applies pending migrations, registers the
 * host agents (one poll before serving, so the first create finds its host) and listens.
 */
export async function startControlPlane(
  cfg: ControlPlaneConfig,
  log: Logger = jsonLogger(),
): Promise<ControlPlane> {
  const db = await openDatabase({ url: cfg.databaseUrl, embeddedDataDir: cfg.pgliteDir });
  const closers: Array<() => Promise<void> | void> = [() => db.close()];
  const closeAll = async () => {
    for (const c of closers.reverse()) await Promise.resolve(c()).catch(() => {});
  };
  try {
    const applied = await migrateUp(db.sql);
    if (applied.length) log.info("migrations applied", { count: applied.length });
    if (cfg.apiKey) await ensureBootstrapKey(db.sql, cfg.apiKey); // WRENN_API_KEY: registered as given
    const { limiter, redis } = await openLimiter(cfg, log);
    if (redis) closers.push(() => void redis.disconnect());
    const clients = createAgentClients(cfg.agentToken ?? "");
    const registry = createHostRegistry({
      sql: db.sql,
      clients,
      addresses: cfg.agents,
      intervalMs: cfg.heartbeatIntervalS * 1000,
      staleAfterS: cfg.hostStaleAfterS,
      log,
    });
    await registry.pollOnce();
    registry.start();
    closers.push(() => registry.stop());
    const deps: ServiceDeps = {
      sql: db.sql,
      scheduler: cfg.scheduler === "single" ? createSingleHost(db.sql) : createLeastLoaded(db.sql),
      clients,
      defaults: cfg.defaults,
      log,
    };
    const lifecycle = createLifecycleLoop(deps, {
      intervalMs: cfg.lifecycleIntervalS * 1000,
      owner: cfg.replicaId,
    });
    lifecycle.start();
    closers.push(() => lifecycle.stop());
    const app = createApi({
      sandboxes: createSandboxService(deps),
      keys: async (presented) => {
        try {
          return await verifyKey(db.sql, presented);
        } catch (err) {
          throw toApiError(err);
        }
      },
      limiter,
      dbHealthy: async () => {
        try {
          await db.sql`SELECT 1`;
          return true;
        } catch {
          return false;
        }
      },
      logger: log,
      publicEnvdRoute: async (id) => {
        try {
          return await publicEnvdRoute(deps, id);
        } catch (err) {
          throw toApiError(err);
        }
      },
    });
    const server = await serveApi(app, { port: cfg.listen.port, hostname: cfg.listen.host });
    closers.push(() => server.close());
    return { url: server.url, db, registry, lifecycle, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
