import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  createHostMetrics,
  type HostMetrics,
  type MetricsServer,
  type SandboxUsageSample,
  startMetricsServer,
} from "./index.js";

describe("host metrics over a real /metrics server", () => {
  let m: HostMetrics;
  let srv: MetricsServer;
  let usage: SandboxUsageSample[] = [];
  let usageCalls = 0;
  let failCapacity = false;
  const errors: string[] = [];

  before(async () => {
    m = createHostMetrics({
      defaultMetrics: true,
      sandboxStates: () => ({ running: 2, paused: 1 }),
      sandboxUsage: async () => {
        usageCalls++;
        return usage;
      },
      capacity: () => {
        if (failCapacity) throw new Error("statfs failed");
        return {
          vcpus: 2,
          vcpusAllocated: 3,
          memoryBytes: 24 * 2 ** 30,
          memoryAllocatedBytes: 2 ** 30,
          diskTotalBytes: 1000,
          diskUsedBytes: 400,
        };
      },
      onError: (source) => errors.push(source),
    });
    srv = await startMetricsServer({ registry: m.registry, port: 0 });
  });
  after(() => srv.close());

  const scrape = async () => {
    const res = await fetch(srv.url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    return res.text();
  };
  const has = (text: string, line: string) => assert.ok(text.split("\n").includes(line), `missing: ${line}`);

  it("exposes sandboxes by state, zero-filled", async () => {
    const text = await scrape();
    has(text, "# TYPE wrenn_sandboxes gauge");
    has(text, 'wrenn_sandboxes{state="running"} 2');
    has(text, 'wrenn_sandboxes{state="paused"} 1');
    has(text, 'wrenn_sandboxes{state="error"} 0');
  });

  it("exposes duration histograms with their buckets and labels", async () => {
    m.observeCreate("template-snapshot", 0.42);
    m.observeCreate("boot", 3.1);
    m.observeBoot(2.9);
    m.observePause(0.14);
    m.observeResume(0.4);
    const text = await scrape();
    has(text, 'wrenn_sandbox_create_duration_seconds_bucket{le="0.5",method="template-snapshot"} 1');
    has(text, 'wrenn_sandbox_create_duration_seconds_bucket{le="3",method="boot"} 0');
    has(text, 'wrenn_sandbox_create_duration_seconds_bucket{le="5",method="boot"} 1');
    has(text, 'wrenn_sandbox_create_duration_seconds_count{method="boot"} 1');
    has(text, 'wrenn_sandbox_boot_duration_seconds_bucket{le="30"} 1');
    has(text, 'wrenn_sandbox_pause_duration_seconds_bucket{le="0.05"} 0');
    has(text, "wrenn_sandbox_pause_duration_seconds_sum 0.14");
    has(text, "wrenn_sandbox_resume_duration_seconds_count 1");
  });

  it("reads per-sandbox usage once per scrape and drops destroyed sandboxes", async () => {
    usage = [
      { id: "sb-a", cpuSeconds: 1.5, memoryBytes: 1048576, oomKills: 0 },
      { id: "sb-b", cpuSeconds: 0.25, memoryBytes: 2048, oomKills: 1 },
    ];
    usageCalls = 0;
    let text = await scrape();
    assert.equal(usageCalls, 1, "one callback call feeds all three families");
    has(text, 'wrenn_sandbox_cpu_seconds{sandbox="sb-a"} 1.5');
    has(text, 'wrenn_sandbox_memory_bytes{sandbox="sb-b"} 2048');
    has(text, 'wrenn_sandbox_oom_kills{sandbox="sb-b"} 1');
    usage = [{ id: "sb-a", cpuSeconds: 2, memoryBytes: 1048576 }];
    text = await scrape();
    has(text, 'wrenn_sandbox_cpu_seconds{sandbox="sb-a"} 2');
    assert.ok(!text.includes('sandbox="sb-b"'), "a destroyed sandbox's series disappear");
  });

  it("exposes host capacity, and survives a failing source", async () => {
    let text = await scrape();
    has(text, 'wrenn_host_vcpus{kind="total"} 2');
    has(text, 'wrenn_host_vcpus{kind="allocated"} 3');
    has(text, `wrenn_host_memory_bytes{kind="total"} ${24 * 2 ** 30}`);
    has(text, 'wrenn_host_disk_bytes{kind="used"} 400');
    failCapacity = true;
    text = await scrape();
    assert.ok(!text.includes("wrenn_host_disk_bytes{"), "no stale capacity");
    has(text, 'wrenn_hostagent_metrics_collect_errors_total{source="capacity"} 1');
    assert.deepEqual(errors, ["capacity"]);
    failCapacity = false;
  });

  it("includes the agent's process metrics", async () => {
    assert.match(await scrape(), /^wrenn_hostagent_process_resident_memory_bytes \d+/m);
  });

  it("answers 404 off /metrics and 405 for other methods; HEAD has no body", async () => {
    const base = srv.url.replace(/\/metrics$/, "");
    assert.equal((await fetch(`${base}/`)).status, 404);
    assert.equal((await fetch(`${base}/metrics/x`)).status, 404);
    assert.equal((await fetch(`${srv.url}?x=1`)).status, 200);
    const post = await fetch(srv.url, { method: "POST" });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, HEAD");
    const head = await fetch(srv.url, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
  });

  it("keeps registries apart", () => {
    const other = createHostMetrics();
    assert.notEqual(other.registry, m.registry);
  });
});
