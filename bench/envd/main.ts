/**
 * envd benchmark: exec round trip (`true`) p50/p95, 100 MiB upload and download
 * throughput, idle RSS. With REF_ENVD=<binary> the same workload runs against that
 * envd-compatible binary in the same run and ratios ours/reference are printed.
 * REF_ENVD_ARGS sets its arguments ("{port}" is replaced; default: our flags).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Readable } from "node:stream";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { Process } from "../../src/shared/gen/envd/process/process_pb.js";
import { type EnvdProcess, ourArgs, startEnvd } from "../../tests/compat/harness.js";
import { fmt, median, percentile, table } from "../stats.js";

const EXEC_RUNS = Number(process.env.EXEC_RUNS ?? 300);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SIZE = 100 * 1024 * 1024;
/** ROOT_AUTH selects the user explicitly, so an envd that has not been /init-ed still accepts calls. */
const ROOT_AUTH = `Basic ${Buffer.from("root:").toString("base64")}`;

interface Result {
  execP50: number;
  execP95: number;
  uploadMiBs: number;
  downloadMiBs: number;
  idleRssMiB: number;
}

function rssMiB(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

async function execLatencies(url: string): Promise<number[]> {
  const client = createClient(Process, createConnectTransport({ baseUrl: url, httpVersion: "1.1" }));
  const headers = { authorization: ROOT_AUTH };
  const out: number[] = [];
  for (let i = 0; i < EXEC_RUNS + 20; i++) {
    const t0 = performance.now();
    for await (const res of client.start(
      { process: { cmd: "true", args: [], envs: {} }, stdin: false },
      { headers },
    )) {
      if (res.event?.event.case === "end") break;
    }
    if (i >= 20) out.push(performance.now() - t0); // first 20 are warm-up
  }
  return out;
}

/** zeroStream yields SIZE bytes without holding them in memory at once. */
function zeroStream(): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(1024 * 1024).fill(7);
  let sent = 0;
  return Readable.toWeb(
    Readable.from(
      (function* () {
        while (sent < SIZE) {
          sent += chunk.length;
          yield chunk;
        }
      })(),
    ),
  ) as ReadableStream<Uint8Array>;
}

async function transfer(envd: EnvdProcess): Promise<{ up: number; down: number }> {
  const path = join(envd.workdir, "bench.bin");
  const q = `path=${encodeURIComponent(path)}&username=root`;
  let t0 = performance.now();
  const put = await fetch(`${envd.url}/files?${q}`, {
    method: "POST",
    headers: { "Content-Type": "application/octet-stream" },
    body: zeroStream(),
    duplex: "half",
  } as RequestInit);
  if (put.status !== 200) throw new Error(`upload: ${put.status} ${await put.text()}`);
  const up = SIZE / 1048576 / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  const get = await fetch(`${envd.url}/files?${q}`, { headers: { "accept-encoding": "identity" } });
  let n = 0;
  for await (const c of get.body as unknown as AsyncIterable<Uint8Array>) n += c.length;
  if (n !== SIZE) throw new Error(`download: got ${n} bytes`);
  const down = SIZE / 1048576 / ((performance.now() - t0) / 1000);
  return { up, down };
}

async function measure(binary: string, args: (port: number) => string[]): Promise<Result> {
  const envd = await startEnvd(binary, args);
  try {
    await new Promise((r) => setTimeout(r, 500));
    const idleRssMiB = rssMiB(envd.child.pid);
    const p50s: number[] = [];
    const p95s: number[] = [];
    const ups: number[] = [];
    const downs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const lat = await execLatencies(envd.url);
      p50s.push(percentile(lat, 50));
      p95s.push(percentile(lat, 95));
      const t = await transfer(envd);
      ups.push(t.up);
      downs.push(t.down);
    }
    return {
      execP50: median(p50s),
      execP95: median(p95s),
      uploadMiBs: median(ups),
      downloadMiBs: median(downs),
      idleRssMiB,
    };
  } finally {
    await envd.stop();
  }
}

const ours = resolve(import.meta.dirname, "../../bin/envd");
const ref = process.env.REF_ENVD;
const refTemplate = process.env.REF_ENVD_ARGS;
const refArgs = refTemplate
  ? (port: number) => refTemplate.replaceAll("{port}", String(port)).split(" ").filter(Boolean)
  : ourArgs;

if (ref && !process.env.WRENN_BENCH_NETNS) {
  // A reference envd may act on the machine (E2B's forwards every localhost port to eth0 with socat),
  // so the comparison runs inside a throwaway network namespace that has only loopback.
  const ns = `wrn-benv-${process.pid}`;
  execFileSync("ip", ["netns", "add", ns]);
  try {
    execFileSync("ip", ["-n", ns, "link", "set", "lo", "up"]);
    execFileSync(
      "ip",
      ["netns", "exec", ns, process.execPath, ...process.execArgv, process.argv[1] as string],
      {
        stdio: "inherit",
        env: { ...process.env, WRENN_BENCH_NETNS: ns },
      },
    );
  } finally {
    execFileSync("ip", ["netns", "del", ns]);
  }
} else {
  await run();
}

async function run(): Promise<void> {
  console.log(
    `envd benchmark: ${ROUNDS} rounds × ${EXEC_RUNS} exec round trips, ${SIZE >> 20} MiB transfers`,
  );
  const results: [string, Result][] = [["wrenn envd", await measure(ours, ourArgs)]];
  if (ref) results.push(["reference", await measure(ref, refArgs)]);
  const rows = results.map(([name, r]) => [
    name,
    fmt(r.execP50),
    fmt(r.execP95),
    fmt(r.uploadMiBs, 0),
    fmt(r.downloadMiBs, 0),
    fmt(r.idleRssMiB, 1),
  ]);
  if (results.length === 2) {
    const [a, b] = [results[0]?.[1] as Result, results[1]?.[1] as Result];
    rows.push([
      "ratio ours/ref",
      fmt(a.execP50 / b.execP50),
      fmt(a.execP95 / b.execP95),
      fmt(a.uploadMiBs / b.uploadMiBs),
      fmt(a.downloadMiBs / b.downloadMiBs),
      fmt(a.idleRssMiB / b.idleRssMiB),
    ]);
  } else {
    console.log("(set REF_ENVD=/path/to/envd to compare against a reference envd in the same run)");
  }
  console.log(
    table(["envd", "exec p50 ms", "exec p95 ms", "upload MiB/s", "download MiB/s", "idle RSS MiB"], rows),
  );
}
