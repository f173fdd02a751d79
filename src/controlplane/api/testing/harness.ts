import type { Hono } from "hono";
import { createTeam } from "../../../shared/models/index.js";
import { type TestDatabase, useTestDatabase } from "../../../shared/testing/index.js";
import { createKey, verifyKey } from "../../auth/index.js";
import { createMemoryRateLimiter, type RateLimiter } from "../../ratelimit/index.js";
import type { EnvdRoute } from "../../sandboxes/types.js";
import { createApi } from "../app.js";
import type { ApiDeps, ApiEnv, ApiLogger } from "../deps.js";
import { MemorySandboxService } from "./memory-sandboxes.js";

/** LogLine is one captured log call. */
export interface LogLine {
  level: "info" | "warn" | "error";
  msg: string;
  fields: Record<string, unknown> | undefined;
}

/** ApiHarness is the real app over real Postgres auth and the in-memory SandboxService double. */
export interface ApiHarness {
  app: Hono<ApiEnv>;
  db: TestDatabase;
  svc: MemorySandboxService;
  /** keyA/keyB belong to two different teams. */
  keyA: string;
  keyB: string;
  logs: LogLine[];
  /** dbUp toggles what the health check reports. */
  dbUp: { value: boolean };
  /** call is app.request with team A's key and an optional JSON body. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** useApiHarness builds the harness; overrides replace deps (e.g. a tight limiter). */
export async function useApiHarness(
  overrides: Partial<ApiDeps> & {
    capacityVcpus?: number;
    envdBaseUrl?: string;
    envdRoute?: (id: string) => EnvdRoute;
  } = {},
): Promise<ApiHarness> {
  const db = await useTestDatabase();
  const [a, b] = await Promise.all([createTeam(db.sql, { name: "a" }), createTeam(db.sql, { name: "b" })]);
  const keyA = (await createKey(db.sql, { teamId: a.id, name: "a" })).key;
  const keyB = (await createKey(db.sql, { teamId: b.id, name: "b" })).key;
  const svc = new MemorySandboxService({
    ...(overrides.capacityVcpus !== undefined ? { capacityVcpus: overrides.capacityVcpus } : {}),
    ...(overrides.envdBaseUrl !== undefined ? { envdBaseUrl: overrides.envdBaseUrl } : {}),
    ...(overrides.envdRoute ? { envdRoute: overrides.envdRoute } : {}),
  });
  const logs: LogLine[] = [];
  const log =
    (level: LogLine["level"]) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      logs.push({ level, msg, fields });
    };
  const logger: ApiLogger = { info: log("info"), warn: log("warn"), error: log("error") };
  const dbUp = { value: true };
  const limiter: RateLimiter = createMemoryRateLimiter({ capacity: 10_000, refillPerSec: 1000 });
  const app = createApi({
    sandboxes: svc,
    keys: async (k) => verifyKey(db.sql, k),
    limiter,
    dbHealthy: async () => {
      if (!dbUp.value) return false;
      await db.sql`SELECT 1`;
      return true;
    },
    logger,
    ...overrides,
  });
  return {
    app,
    db,
    svc,
    keyA,
    keyB,
    logs,
    dbUp,
    call: async (method, path, body, headers = {}) =>
      app.request(path, {
        method,
        headers: {
          "X-API-Key": keyA,
          ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
      }),
    close: () => db.close(),
  };
}
