import { Counter, Gauge, type Registry } from "prom-client";
import { SANDBOX_STATES, type SandboxState } from "../state/index.js";

/** SandboxUsageSample is one sandbox's cgroup usage at scrape time. */
export interface SandboxUsageSample {
  id: string;
  cpuSeconds: number;
  memoryBytes: number;
  oomKills?: number;
}

/** HostCapacity is what the host has and what is committed or used, for scheduling dashboards. */
export interface HostCapacity {
  vcpus: number;
  vcpusAllocated: number;
  memoryBytes: number;
  memoryAllocatedBytes: number;
  diskTotalBytes: number;
  diskUsedBytes: number;
}

/** Source is a scrape-time callback; it may be sync or async. */
export type Source<T> = () => T | Promise<T>;

/** ScrapeSources are read on every scrape, so the gauges never drift from the agent's truth. */
export interface ScrapeSources {
  sandboxStates?: Source<Partial<Record<SandboxState, number>>>;
  sandboxUsage?: Source<SandboxUsageSample[]>;
  capacity?: Source<HostCapacity>;
  /** onError sees callback failures; the scrape still succeeds without the failed families. */
  onError?: (source: string, err: unknown) => void;
}

/**
 * registerScrapeGauges adds the gauges filled from callbacks at scrape time. Families fed by one
 * callback share a single in-flight call (prom-client collects all families concurrently), and
 * a failing callback leaves its families empty and counts the failure.
 */
export function registerScrapeGauges(registry: Registry, src: ScrapeSources): void {
  const registers = [registry];
  const reads: Array<() => Promise<unknown>> = [];
  const errors = new Counter({
    name: "wrenn_hostagent_metrics_collect_errors_total",
    help: "Scrape-time callbacks that failed, by source.",
    labelNames: ["source"],
    registers,
    // wait for this scrape's callbacks, so a failure is counted in the same scrape
    async collect() {
      await Promise.all(reads.map((r) => r()));
    },
  });
  const once = <T>(source: string, fn: Source<T> | undefined): (() => Promise<T | undefined>) => {
    let inflight: Promise<T | undefined> | undefined;
    const call = async () => {
      try {
        return fn ? await fn() : undefined;
      } catch (err) {
        errors.inc({ source });
        src.onError?.(source, err);
        return undefined;
      }
    };
    const read = () => {
      inflight ??= call().finally(() => {
        inflight = undefined;
      });
      return inflight;
    };
    reads.push(read);
    return read;
  };
  const gauge = <T>(
    name: string,
    help: string,
    label: string,
    read: () => Promise<T | undefined>,
    fill: (set: (l: string, v: number) => void, v: T) => void,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers,
      async collect() {
        this.reset();
        const v = await read();
        if (v !== undefined) fill((l, n) => this.set({ [label]: l }, n), v);
      },
    });

  const states = once("sandbox_states", src.sandboxStates);
  gauge("wrenn_sandboxes", "Sandboxes on this host by state.", "state", states, (set, counts) => {
    for (const s of SANDBOX_STATES) set(s, counts[s] ?? 0);
  });

  const usage = once("sandbox_usage", src.sandboxUsage);
  const perSandbox = (name: string, help: string, pick: (s: SandboxUsageSample) => number) =>
    gauge(name, help, "sandbox", usage, (set, samples) => {
      for (const s of samples) set(s.id, pick(s));
    });
  perSandbox(
    "wrenn_sandbox_cpu_seconds",
    "Cumulative CPU time of the sandbox's VMM cgroup (use rate()).",
    (s) => s.cpuSeconds,
  );
  perSandbox(
    "wrenn_sandbox_memory_bytes",
    "Memory charged to the sandbox's VMM cgroup.",
    (s) => s.memoryBytes,
  );
  perSandbox("wrenn_sandbox_oom_kills", "OOM kills inside the sandbox's VMM cgroup.", (s) => s.oomKills ?? 0);

  const cap = once("capacity", src.capacity);
  gauge("wrenn_host_vcpus", "Host vCPUs: total and allocated to sandboxes.", "kind", cap, (set, c) => {
    set("total", c.vcpus);
    set("allocated", c.vcpusAllocated);
  });
  gauge(
    "wrenn_host_memory_bytes",
    "Host memory: total and allocated to sandboxes.",
    "kind",
    cap,
    (set, c) => {
      set("total", c.memoryBytes);
      set("allocated", c.memoryAllocatedBytes);
    },
  );
  gauge("wrenn_host_disk_bytes", "Sandbox state filesystem: total and used bytes.", "kind", cap, (set, c) => {
    set("total", c.diskTotalBytes);
    set("used", c.diskUsedBytes);
  });
}
