import type { Db } from "../../shared/db/index.js";
import { heartbeatHost, markStaleHosts, registerHost } from "../../shared/models/index.js";
import type { AgentClients } from "./clients.js";

/** RegistryLogger is where the registry reports hosts coming and going. */
export interface RegistryLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

/** HostRegistryOptions lists the agents to poll and how often. */
export interface HostRegistryOptions {
  sql: Db;
  clients: AgentClients;
  /** addresses are the agents' host:port (WRENN_AGENTS). */
  addresses: string[];
  intervalMs: number;
  /** staleAfterS: a host unheard of for this long is marked unhealthy and its sandboxes flagged. */
  staleAfterS: number;
  log?: RegistryLogger;
}

/** HostRegistry keeps the hosts table in step with the agents: register, heartbeat, stale marking. */
export interface HostRegistry {
  /** pollOnce polls every agent once (start-up awaits it so the first create finds its host). */
  pollOnce(): Promise<void>;
  start(): void;
  stop(): void;
}

/**
 * createHostRegistry polls each agent's HostStatus; an answer is the heartbeat (and registers the
 * host the first time, or when the row is gone). Every round also marks hosts that stopped answering
 * unhealthy — any replica may do it: markStaleHosts is one statement, so replicas agree.
 */
export function createHostRegistry(o: HostRegistryOptions): HostRegistry {
  const known = new Map<string, string>(); // address → host id
  const failing = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const pollAgent = async (address: string): Promise<void> => {
    try {
      const st = await o.clients.get(address).hostStatus({}, { timeoutMs: Math.max(2000, 2 * o.intervalMs) });
      const id = st.hostId;
      const beat =
        known.get(address) === id ? await heartbeatHost(o.sql, id, { sandboxes: st.sandboxes }) : null;
      if (!beat) {
        await registerHost(o.sql, {
          id,
          address,
          vcpus: st.vcpus,
          memMib: Number(st.memoryMib),
          diskMib: Number(st.diskMib),
          accelerator: st.accelerator || null,
          labels: { vmm: st.vmm },
        });
        known.set(address, id);
        o.log?.info("host registered", { host: id, address, templates: st.templates });
      }
      if (failing.delete(address)) o.log?.info("host answering again", { host: id, address });
    } catch (err) {
      if (!failing.has(address)) {
        failing.add(address);
        o.log?.warn("host agent not answering", { address, error: String(err) });
      }
    }
  };

  const round = async (): Promise<void> => {
    await Promise.all(o.addresses.map(pollAgent));
    try {
      const stale = await markStaleHosts(o.sql, o.staleAfterS);
      for (const h of stale.hosts) {
        o.log?.warn("host marked unhealthy", { host: h.id, flaggedSandboxes: stale.sandboxIds });
      }
    } catch (err) {
      o.log?.warn("marking stale hosts failed", { error: String(err) });
    }
  };

  const pollOnce = (): Promise<void> => {
    running ??= round().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    pollOnce,
    start() {
      if (timer) return;
      timer = setInterval(() => void pollOnce(), o.intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
