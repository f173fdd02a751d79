import { NetworkError } from "./errors.js";
import { ignoreGone, ipIn, run } from "./run.js";

/**
 * detectUplink returns the interface of the default route in `hostNetns` (the agent's own
 * namespace when undefined), or undefined when there is none.
 */
export async function detectUplink(hostNetns: string | undefined): Promise<string | undefined> {
  const out = await ipIn(hostNetns, ["-j", "route", "show", "default"]);
  const routes = parseJson<{ dev?: string }[]>(out, "ip route");
  return routes.find((r) => typeof r.dev === "string")?.dev;
}

/** enableForwarding turns on IPv4 forwarding in the host netns so sandbox traffic is routed. */
export async function enableForwarding(hostNetns: string | undefined): Promise<void> {
  await run("sysctl", ["-q", "-w", "net.ipv4.ip_forward=1"], { netns: hostNetns });
}

/** applyRuleset loads an `nft -f` script (one atomic transaction) into a netns. */
export async function applyRuleset(netns: string | undefined, script: string): Promise<void> {
  await run("nft", ["-f", "-"], { netns, input: script });
}

/** listNetns returns every `ip netns` name on the machine (netns names are global). */
export async function listNetns(): Promise<string[]> {
  const out = await run("ip", ["netns", "list"]);
  return out
    .split("\n")
    .map((l) => l.trim().split(" ")[0] ?? "")
    .filter((n) => n !== "");
}

/** listVeths returns the names of veth interfaces in the host netns whose alias is `alias`. */
export async function listVeths(hostNetns: string | undefined, alias: string): Promise<string[]> {
  const out = await ipIn(hostNetns, ["-j", "link", "show", "type", "veth"]);
  const links = parseJson<{ ifname?: string; ifalias?: string }[]>(out, "ip link");
  return links
    .filter((l) => l.ifalias === alias && typeof l.ifname === "string")
    .map((l) => l.ifname as string);
}

/** deleteLink removes an interface (and its veth peer); a missing one is not an error. */
export function deleteLink(hostNetns: string | undefined, name: string): Promise<void> {
  return ignoreGone(ipIn(hostNetns, ["link", "del", name]));
}

/** deleteNetns removes a named netns; a missing one is not an error. */
export function deleteNetns(name: string): Promise<void> {
  return ignoreGone(run("ip", ["netns", "del", name]));
}

function parseJson<T>(text: string, what: string): T {
  try {
    return (text.trim() === "" ? [] : JSON.parse(text)) as T;
  } catch (err) {
    throw new NetworkError("command_failed", `${what}: unparsable JSON output`, { cause: err });
  }
}
