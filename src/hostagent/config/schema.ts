import { cpus, hostname, totalmem } from "node:os";
import { z } from "zod";
import { type HostPort, hostPortVar, intVar, parseEnv, splitHostPort } from "../../shared/config/index.js";

export type { HostPort };

/** AgentConfig is the host agent's configuration, parsed once at start-up and passed down. */
export interface AgentConfig {
  token: string;
  listen: HostPort;
  metricsListen: HostPort;
  hostId: string;
  stateDir: string;
  imagesDir: string;
  vmm: "qemu" | "firecracker";
  networkCidr: string;
  uplink: string | undefined;
  hostNetns: string | undefined;
  netnsPrefix: string;
  networkPool: number;
  cgroupParent: string;
  hostVcpus: number;
  hostMemMiB: number;
  defaults: { vcpus: number; memMiB: number; diskMiB: number };
  templateSnapshots: boolean;
}

const MiB = 2 ** 20;

const hostPort = hostPortVar("127.0.0.1:50051").transform((v, c): HostPort => {
  const hp = splitHostPort(v);
  if (hp.port > 65535) c.addIssue({ code: "custom", message: "port must be 0-65535" });
  return hp;
});
const optional = (s: z.ZodString) => s.optional();
const bool = z
  .enum(["1", "0", "true", "false", "yes", "no"], { message: "must be true or false" })
  .transform((v) => v === "1" || v === "true" || v === "yes");

/** envSchema maps each WRENN_* variable to its field; .env.example documents every one. */
const envSchema = z.object({
  WRENN_AGENT_TOKEN: z.string({ message: "is required" }).min(16, "must be at least 16 characters"),
  WRENN_AGENT_LISTEN: hostPort.prefault("127.0.0.1:50051"),
  WRENN_AGENT_METRICS_LISTEN: hostPort.prefault("127.0.0.1:9101"),
  WRENN_HOST_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1-64 of [A-Za-z0-9_.-]")
    .default(
      hostname()
        .replace(/[^A-Za-z0-9_.-]/g, "-")
        .slice(0, 64) || "host",
    ),
  WRENN_STATE_DIR: z.string().startsWith("/", "must be an absolute path").default("/var/lib/wrenn"),
  WRENN_IMAGES_DIR: z.string().min(1).default("images/build"),
  WRENN_VMM: z.enum(["qemu", "firecracker"], { message: "must be qemu or firecracker" }).default("qemu"),
  WRENN_NETWORK_CIDR: z
    .string()
    .regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, "must be an IPv4 CIDR like 10.0.0.0/16")
    .default("10.0.0.0/16"),
  WRENN_UPLINK: optional(z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/, "must be an interface name")),
  WRENN_HOST_NETNS: optional(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be a netns name")),
  WRENN_NETNS_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9]{0,11}$/, "must match [a-z][a-z0-9]{0,11}")
    .default("wrn"),
  WRENN_NETWORK_POOL: intVar(0, 64).default(2),
  WRENN_CGROUP_PARENT: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "must be one cgroup name")
    .default("wrenn"),
  WRENN_HOST_VCPUS: intVar(1, 4096).default(cpus().length),
  WRENN_HOST_MEMORY_MIB: intVar(128, 1 << 24).default(Math.max(256, Math.floor(totalmem() / MiB) - 1024)),
  WRENN_SANDBOX_VCPUS: intVar(1, 32).default(1),
  WRENN_SANDBOX_MEMORY_MIB: intVar(64, 262144).default(256),
  WRENN_SANDBOX_DISK_MIB: intVar(64, 1048576).default(1024),
  WRENN_TEMPLATE_SNAPSHOTS: bool.default(true),
});

/** parseConfig validates the environment (unset and empty variables take their defaults). */
export function parseConfig(env: Record<string, string | undefined>): AgentConfig {
  const e = parseEnv(envSchema, env, "host agent");
  return {
    token: e.WRENN_AGENT_TOKEN,
    listen: e.WRENN_AGENT_LISTEN,
    metricsListen: e.WRENN_AGENT_METRICS_LISTEN,
    hostId: e.WRENN_HOST_ID,
    stateDir: e.WRENN_STATE_DIR,
    imagesDir: e.WRENN_IMAGES_DIR,
    vmm: e.WRENN_VMM,
    networkCidr: e.WRENN_NETWORK_CIDR,
    uplink: e.WRENN_UPLINK,
    hostNetns: e.WRENN_HOST_NETNS,
    netnsPrefix: e.WRENN_NETNS_PREFIX,
    networkPool: e.WRENN_NETWORK_POOL,
    cgroupParent: e.WRENN_CGROUP_PARENT,
    hostVcpus: e.WRENN_HOST_VCPUS,
    hostMemMiB: e.WRENN_HOST_MEMORY_MIB,
    defaults: {
      vcpus: e.WRENN_SANDBOX_VCPUS,
      memMiB: e.WRENN_SANDBOX_MEMORY_MIB,
      diskMiB: e.WRENN_SANDBOX_DISK_MIB,
    },
    templateSnapshots: e.WRENN_TEMPLATE_SNAPSHOTS,
  };
}
