// services starts one throwaway Postgres 15 and one redis-server on loopback, exports them as
// WRENN_TEST_DATABASE_URL / WRENN_TEST_REDIS_URL to the command after `--`, and tears both down after:
//   node --import tsx src/shared/testing/services.ts -- node --import tsx --test …
import { spawn } from "node:child_process";
import { once } from "node:events";
import { startPostgres } from "./postgres.js";
import { startRedis } from "./redis.js";

async function main(argv: string[]): Promise<number> {
  const cmd = argv[0] === "--" ? argv.slice(1) : argv;
  if (cmd.length === 0 || !cmd[0]) {
    console.error("usage: services.ts -- <command> [args…]");
    return 2;
  }
  const pg = await startPostgres();
  try {
    const redis = await startRedis();
    try {
      console.log(`services: postgres ${pg.url}, redis ${redis.url}`);
      const child = spawn(cmd[0], cmd.slice(1), {
        stdio: "inherit",
        env: { ...process.env, WRENN_TEST_DATABASE_URL: pg.url, WRENN_TEST_REDIS_URL: redis.url },
      });
      const forward = (sig: NodeJS.Signals) => child.kill(sig);
      process.on("SIGINT", forward);
      process.on("SIGTERM", forward);
      const [code, signal] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
      return code ?? (signal ? 1 : 0);
    } finally {
      await redis.stop();
    }
  } finally {
    await pg.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`services: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
