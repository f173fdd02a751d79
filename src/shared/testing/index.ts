// testing is the door to test infrastructure: real, throwaway Postgres 15 and Redis servers on
// loopback (never mocks), shared across test files through env vars when services.ts started them.

export { type Daemon, startDaemon } from "./daemon.js";
export { freePort } from "./free-port.js";
export { type PgServer, startPostgres, type TestDatabase, useTestDatabase } from "./postgres.js";
export { type RedisServer, startRedis, type TestRedis, useTestRedis } from "./redis.js";
