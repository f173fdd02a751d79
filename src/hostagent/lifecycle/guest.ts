import { randomBytes } from "node:crypto";
import type { SandboxCgroup } from "../cgroups/index.js";
import { createEnvdClient, type EnvdClient, waitForEnvd } from "../envdclient/index.js";
import type { BootOptions, VmHandle, VmmDriver } from "../vm/index.js";

/** DEFAULT_USER is the guest account processes run as unless a caller picks another (E2B: "user"). */
export const DEFAULT_USER = "user";

/** Identity is what makes one clone of a template snapshot its own sandbox. */
export interface Identity {
  id: string;
  env: Record<string, string>;
  accessToken?: string | undefined;
}

/**
 * initGuest gives a freshly booted or restored guest its identity through envd `/init`: env vars,
 * access token, the current time (a restored clock is stale), hostname = sandbox id, and fresh
 * entropy so clones of one snapshot do not share RNG state. Returns envd's version.
 */
export async function initGuest(client: EnvdClient, who: Identity, signal?: AbortSignal): Promise<string> {
  return client.init(
    {
      envVars: who.env,
      ...(who.accessToken ? { accessToken: who.accessToken } : {}),
      timestamp: new Date().toISOString(),
      defaultUser: DEFAULT_USER,
      hostname: who.id,
      entropy: randomBytes(32).toString("base64"),
    },
    signal,
  );
}

/** newClient builds the envd client of a VM (token: what the guest got at its last /init). */
export function newClient(driver: VmmDriver, h: VmHandle, accessToken?: string): EnvdClient {
  return createEnvdClient({ dialer: driver.dialer(h), ...(accessToken ? { accessToken } : {}) });
}

/**
 * bootOptions puts the VMM into the sandbox cgroup as soon as it runs, tells `onStart` its pid
 * (crash-safety intent), and counts the guest as booted once envd answers /health.
 */
export function bootOptions(
  driver: VmmDriver,
  o: {
    timeoutMs: number;
    signal?: AbortSignal | undefined;
    cgroup?: SandboxCgroup | undefined;
    onStart?: (h: VmHandle) => Promise<void>;
  },
): BootOptions {
  return {
    ...(o.signal ? { signal: o.signal } : {}),
    ready: async (h, signal) => {
      await o.cgroup?.addProcess(h.pid);
      await o.onStart?.(h);
      await waitForEnvd(driver.dialer(h), { timeoutMs: o.timeoutMs, signal, attemptTimeoutMs: 1000 });
    },
  };
}
