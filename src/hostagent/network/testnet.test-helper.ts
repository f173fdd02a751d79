import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { NetworkSlot } from "./index.js";

const exec = promisify(execFile);

// A tiny HTTP server answering "<label> <client address>", so tests see who NAT made them.
const SERVER = `const [h, p, label] = process.argv.slice(1);
require("node:http").createServer((q, r) => r.end(label + " " + q.socket.remoteAddress))
  .listen(Number(p), h, () => console.log("ready"));`;
// A client printing the server's answer, or "ERR <why>" (a dropped packet shows as a timeout).
const PROBE = `const [h, p, t] = process.argv.slice(1);
const q = require("node:http").get({ host: h, port: Number(p), timeout: Number(t) }, (r) => {
  let d = ""; r.on("data", (c) => (d += c)); r.on("end", () => console.log(d));
});
q.on("timeout", () => { console.log("ERR timeout"); process.exit(0); });
q.on("error", (e) => console.log("ERR " + e.code));`;

/** sh runs a command (argv) and returns stdout; test set-up only. */
export async function sh(cmd: string, ...args: string[]): Promise<string> {
  return (await exec(cmd, args)).stdout;
}

/**
 * TestNet is the test's own little world, all in namespaces it created: `hostNs` plays the host
 * (the manager runs its host-side commands there), `inetNs` plays the internet (192.0.2.2, an HTTP
 * server on INET_PORT) behind the host's uplink `up0` (192.0.2.1, the default route), and an
 * "agent" listener on AGENT_PORT in hostNs stands for the host agent's own port.
 */
export interface TestNet {
  prefix: string;
  hostNs: string;
  inetNs: string;
  stateDir: string;
  /** attachFakeGuest stands in for a VM: it replaces the slot's TAP with a veth into a fresh
   * netns configured like the guest (fixed IP, MAC, default route via the TAP IP) and starts an
   * envd-like listener there. The real VM path is covered by the host agent's e2e tests. */
  attachFakeGuest(slot: NetworkSlot): Promise<string>;
  /** probe runs an HTTP GET from inside `ns` and returns the answer or "ERR …". */
  probe(ns: string, host: string, port: number, timeoutMs?: number): Promise<string>;
  cleanup(): Promise<void>;
}

export const UPLINK_IP = "192.0.2.1";
export const INET_IP = "192.0.2.2";
export const INET_PORT = 8080;
export const AGENT_PORT = 50051;
export const ENVD = 49983;

/** createTestNet builds the host/internet namespaces; cleanup() removes all it made, even half-made. */
export async function createTestNet(): Promise<TestNet> {
  const prefix = `wt${randomBytes(2).toString("hex")}`;
  const hostNs = `${prefix}host`;
  const inetNs = `${prefix}inet`;
  const namespaces: string[] = [];
  const procs: ChildProcess[] = [];
  const stateDir = await mkdtemp(join(tmpdir(), "wrenn-net-"));

  const addNs = async (name: string) => {
    await sh("ip", "netns", "add", name);
    namespaces.push(name);
    await sh("ip", "-n", name, "link", "set", "lo", "up");
  };
  const serve = async (ns: string, host: string, port: number, label: string) => {
    const p = spawn("ip", ["netns", "exec", ns, process.execPath, "-e", SERVER, host, String(port), label], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    procs.push(p);
    await new Promise<void>((res, rej) => {
      p.stdout?.once("data", () => res());
      p.once("exit", (code) => rej(new Error(`server ${label} exited ${code}`)));
    });
  };

  const net: TestNet = {
    prefix,
    hostNs,
    inetNs,
    stateDir,
    async attachFakeGuest(slot) {
      const g = `${prefix}g${slot.id}`;
      await addNs(g);
      const s = ["-n", slot.netns];
      await sh("ip", ...s, "link", "del", slot.tapName);
      await sh("ip", ...s, "link", "add", slot.tapName, "type", "veth", "peer", "name", "eth0", "netns", g);
      await sh("ip", ...s, "addr", "add", `${slot.tapIp}/${slot.guestPrefixLen}`, "dev", slot.tapName);
      await sh("ip", ...s, "link", "set", slot.tapName, "up");
      const n = ["-n", g];
      await sh("ip", ...n, "link", "set", "eth0", "address", slot.guestMac);
      await sh("ip", ...n, "addr", "add", `${slot.fixedGuestIp}/${slot.guestPrefixLen}`, "dev", "eth0");
      await sh("ip", ...n, "link", "set", "eth0", "up");
      await sh("ip", ...n, "route", "add", "default", "via", slot.tapIp);
      await serve(g, slot.fixedGuestIp, ENVD, `envd-${slot.id}`);
      return g;
    },
    async probe(ns, host, port, timeoutMs = 3000) {
      const out = await sh(
        "ip",
        "netns",
        "exec",
        ns,
        process.execPath,
        "-e",
        PROBE,
        host,
        String(port),
        String(timeoutMs),
      );
      return out.trim();
    },
    async cleanup() {
      for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
      for (const ns of namespaces.reverse()) await sh("ip", "netns", "del", ns).catch(() => {});
      // Sandbox netns a failed test may have left behind (the manager names them <prefix>-<8 hex>).
      for (const ns of (await sh("ip", "netns", "list")).split("\n")) {
        const name = ns.split(" ")[0] ?? "";
        if (name.startsWith(`${prefix}-`)) await sh("ip", "netns", "del", name).catch(() => {});
      }
      await rm(stateDir, { recursive: true, force: true });
    },
  };

  try {
    await addNs(hostNs);
    await addNs(inetNs);
    await sh(
      "ip",
      "-n",
      hostNs,
      "link",
      "add",
      "up0",
      "type",
      "veth",
      "peer",
      "name",
      "eth0",
      "netns",
      inetNs,
    );
    await sh("ip", "-n", hostNs, "addr", "add", `${UPLINK_IP}/30`, "dev", "up0");
    await sh("ip", "-n", hostNs, "link", "set", "up0", "up");
    await sh("ip", "-n", hostNs, "route", "add", "default", "via", INET_IP);
    await sh("ip", "-n", inetNs, "addr", "add", `${INET_IP}/30`, "dev", "eth0");
    await sh("ip", "-n", inetNs, "link", "set", "eth0", "up");
    await serve(inetNs, INET_IP, INET_PORT, "inet");
    await serve(hostNs, "0.0.0.0", AGENT_PORT, "agent");
  } catch (err) {
    await net.cleanup();
    throw err;
  }
  return net;
}
