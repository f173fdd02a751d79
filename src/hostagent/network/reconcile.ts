import type { ResolvedConfig } from "./config.js";
import { deleteLink, deleteNetns, listNetns, listVeths } from "./host.js";
import { SLOT_ID } from "./slot.js";

/** ReconcileReport lists what reconcile removed: slot ids, netns names and host interfaces. */
export interface ReconcileReport {
  slots: string[];
  netns: string[];
  links: string[];
}

/**
 * removeStrays deletes our netns (`<prefix>-<8 hex>`) and host veths (`<vethPrefix><8 hex>`
 * carrying our alias) whose slot id is not in `owned`: leftovers of a create a crash cut short.
 */
export async function removeStrays(
  cfg: Pick<ResolvedConfig, "prefix" | "vethPrefix" | "hostNetns">,
  alias: string,
  owned: ReadonlySet<string>,
  report: ReconcileReport,
): Promise<void> {
  const stray = (name: string, prefix: string) => {
    const id = name.slice(prefix.length);
    return name.startsWith(prefix) && SLOT_ID.test(id) && !owned.has(id);
  };
  for (const name of await listVeths(cfg.hostNetns, alias)) {
    if (!stray(name, cfg.vethPrefix)) continue;
    await deleteLink(cfg.hostNetns, name);
    report.links.push(name);
  }
  for (const name of await listNetns()) {
    if (!stray(name, `${cfg.prefix}-`)) continue;
    await deleteNetns(name);
    report.netns.push(name);
  }
}
