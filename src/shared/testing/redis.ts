import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { freePort } from "./free-port.js";

/** RedisServer is a throwaway redis-server on loopback with persistence off. */
export interface RedisServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** waitReady resolves when redis-server logs that it accepts connections (or rejects if it exits). */
function waitReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 15_000);
    child.stdout?.on("data", (b: Buffer) => {
      out += b.toString();
      if (out.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}): ${out}`));
    });
  });
}

/** startRedis runs `redis-server` on 127.0.0.1:<free port>; stop() (or process exit) kills it. */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const child = spawn(
    process.env.WRENN_REDIS_SERVER ?? "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const onExit = () => child.kill("SIGKILL");
  process.once("exit", onExit);
  await waitReady(child);
  child.stdout?.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      process.off("exit", onExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

/** TestRedis is a Redis URL for one test file, plus a key prefix nobody else uses. */
export interface TestRedis {
  readonly url: string;
  readonly prefix: string;
  close(): Promise<void>;
}

/**
 * useTestRedis returns WRENN_TEST_REDIS_URL (shared by a whole run) or starts a private redis-server;
 * tests keep apart by putting `prefix` in front of their keys.
 */
export async function useTestRedis(): Promise<TestRedis> {
  const shared = process.env.WRENN_TEST_REDIS_URL;
  const server = shared ? null : await startRedis();
  return {
    url: shared ?? server?.url ?? "",
    prefix: `test:${process.pid}:${Date.now().toString(36)}:`,
    close: async () => server?.stop(),
  };
}
