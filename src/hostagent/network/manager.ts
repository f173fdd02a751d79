import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { Allocator } from "./allocator.js";
import { type NetworkConfig, type ResolvedConfig, resolveConfig } from "./config.js";
import { type EgressPolicy, isOpenEgress, normalizeEgress, OPEN_EGRESS } from "./egress.js";
import { NetworkError } from "./errors.js";
import { applyRuleset, detectUplink, enableForwarding } from "./host.js";
import { SlotPool } from "./pool.js";
import { type ReconcileReport, removeStrays } from "./reconcile.js";
import { hostRuleset } from "./rules.js";
import { createSlotNetwork, destroySlotNetwork } from "./sandbox-ns.js";
import { makeSlot, type NetworkSlot } from "./slot.js";

/** AcquireOptions names the sandbox a slot is for and its initial egress policy. */
export interface AcquireOptions {
  sandboxId: string;
  egress?: EgressPolicy;
}

/**
 * NetworkManager owns every sandbox network on the host: it hands out ready slots, applies
 * egress policy, tears slots down, and cleans up what a crashed agent left behind.
 */
export interface NetworkManager {
  /** acquire returns the sandbox's slot: a pooled one when ready, else one made now. Idempotent per sandbox. */
  acquire(opts: AcquireOptions): Promise<NetworkSlot>;
  /** release removes the slot's netns, veth, rules and allocation; unknown slots are a no-op. */
  release(slot: NetworkSlot | string): Promise<void>;
  /** applyEgress replaces a slot's egress policy (invalid CIDRs fail before anything changes). */
  applyEgress(slot: NetworkSlot | string, policy: EgressPolicy): Promise<NetworkSlot>;
  /** slotFor finds the slot of a sandbox (e.g. to re-adopt a VM after an agent restart). */
  slotFor(sandboxId: string): NetworkSlot | undefined;
  /** reconcile removes slots no known sandbox owns, and our netns/veths with no slot at all. */
  reconcile(knownSandboxIds: Iterable<string>): Promise<ReconcileReport>;
  /** idle resolves once the background pool refill has stopped. */
  idle(): Promise<void>;
  /** close stops refilling and removes the pooled (unassigned) slots; assigned slots stay. */
  close(): Promise<void>;
}

const SANDBOX_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/** createNetworkManager validates the config, loads the allocations and sets up the host table. */
export async function createNetworkManager(config: NetworkConfig): Promise<NetworkManager> {
  const cfg = resolveConfig(config);
  const uplink = cfg.uplink ?? (await detectUplink(cfg.hostNetns));
  const alloc = await Allocator.open(join(cfg.stateDir, "network.json"), cfg.base);
  const m = new Manager({ ...cfg, uplink }, alloc);
  await enableForwarding(cfg.hostNetns);
  await m.applyHost();
  m.pool.refill();
  return m;
}

class Manager implements NetworkManager {
  readonly pool: SlotPool;
  private readonly creating = new Set<string>();
  private readonly pending = new Map<string, Promise<NetworkSlot>>();
  private hostChain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly alias: string;

  constructor(
    private readonly cfg: ResolvedConfig,
    private readonly alloc: Allocator,
  ) {
    this.alias = `wrenn:${cfg.prefix}`;
    this.pool = new SlotPool(cfg.poolSize, () => this.create(undefined), {
      discard: (id) => this.release(id),
      onError: cfg.onBackgroundError,
    });
  }

  acquire(opts: AcquireOptions): Promise<NetworkSlot> {
    if (this.closed) return Promise.reject(new NetworkError("closed", "network manager is closed"));
    const { sandboxId } = opts;
    if (typeof sandboxId !== "string" || !SANDBOX_ID.test(sandboxId)) {
      return Promise.reject(
        new NetworkError("invalid_config", `bad sandbox id ${JSON.stringify(sandboxId)}`),
      );
    }
    let egress: ReturnType<typeof normalizeEgress>;
    try {
      egress = normalizeEgress(opts.egress);
    } catch (err) {
      return Promise.reject(err);
    }
    const have = this.slotFor(sandboxId);
    if (have) return Promise.resolve(have);
    const inFlight = this.pending.get(sandboxId);
    if (inFlight) return inFlight;
    const p = this.assign(sandboxId, egress).finally(() => this.pending.delete(sandboxId));
    this.pending.set(sandboxId, p);
    return p;
  }

  private async assign(sandboxId: string, egress: ReturnType<typeof normalizeEgress>): Promise<NetworkSlot> {
    const pooled = this.pool.take();
    if (pooled === undefined) {
      const slot = await this.create({ sandboxId, egress });
      this.pool.refill();
      return slot;
    }
    try {
      await this.alloc.update(pooled, { sandboxId, egress });
      if (!isOpenEgress(egress)) await this.applyHost();
    } catch (err) {
      await this.release(pooled).catch(() => {});
      throw err;
    }
    this.pool.refill();
    return this.slot(pooled);
  }

  /** create builds a fresh slot; everything it made is removed again when a step fails. */
  private async create(owner: AcquireOptions | undefined): Promise<NetworkSlot> {
    const id = this.newId();
    this.creating.add(id);
    try {
      const index = await this.alloc.allocate(id);
      const slot = makeSlot(this.cfg, this.cfg.base, { id, index, egress: OPEN_EGRESS });
      try {
        await createSlotNetwork(this.cfg.hostNetns, slot, this.alias);
        if (owner)
          await this.alloc.update(id, { sandboxId: owner.sandboxId, egress: normalizeEgress(owner.egress) });
        await this.applyHost();
      } catch (err) {
        await destroySlotNetwork(this.cfg.hostNetns, slot).catch(() => {});
        await this.alloc.free(id).catch(() => {});
        await this.applyHost().catch(() => {});
        throw err;
      }
      return this.slot(id);
    } finally {
      this.creating.delete(id);
    }
  }

  async release(s: NetworkSlot | string): Promise<void> {
    const id = typeof s === "string" ? s : s.id;
    this.pool.forget(id);
    const slot = this.alloc.get(id) ? this.slot(id) : typeof s === "string" ? undefined : s;
    if (slot) await destroySlotNetwork(this.cfg.hostNetns, slot);
    await this.alloc.free(id);
    await this.applyHost();
    this.pool.refill();
  }

  async applyEgress(s: NetworkSlot | string, policy: EgressPolicy): Promise<NetworkSlot> {
    const egress = normalizeEgress(policy);
    const id = typeof s === "string" ? s : s.id;
    await this.alloc.update(id, { egress });
    await this.applyHost();
    return this.slot(id);
  }

  slotFor(sandboxId: string): NetworkSlot | undefined {
    const hit = this.alloc.entries().find(([, r]) => r.sandboxId === sandboxId);
    return hit ? this.slot(hit[0]) : undefined;
  }

  async reconcile(knownSandboxIds: Iterable<string>): Promise<ReconcileReport> {
    const known = new Set(knownSandboxIds);
    const busy = new Set([...this.creating, ...this.pool.ids()]);
    const report: ReconcileReport = { slots: [], netns: [], links: [] };
    for (const [id, rec] of this.alloc.entries()) {
      if (busy.has(id) || (rec.sandboxId !== undefined && known.has(rec.sandboxId))) continue;
      await destroySlotNetwork(this.cfg.hostNetns, this.slot(id));
      await this.alloc.free(id);
      report.slots.push(id);
    }
    const owned = new Set([...busy, ...this.alloc.entries().map(([id]) => id)]);
    await removeStrays(this.cfg, this.alias, owned, report);
    await this.applyHost();
    return report;
  }

  idle(): Promise<void> {
    return this.pool.idle();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.pool.close();
    await this.hostChain;
  }

  /** applyHost regenerates the host table from the current allocations, one nft run at a time. */
  applyHost(): Promise<void> {
    const apply = () =>
      applyRuleset(
        this.cfg.hostNetns,
        hostRuleset({
          baseCidr: this.cfg.baseCidr,
          uplink: this.cfg.uplink,
          slots: this.alloc.entries().map(([id]) => this.slot(id)),
        }),
      );
    const p = this.hostChain.then(apply, apply);
    this.hostChain = p.catch(() => {});
    return p;
  }

  private slot(id: string): NetworkSlot {
    const rec = this.alloc.get(id);
    if (!rec) throw new NetworkError("not_found", `no network slot ${id}`);
    return makeSlot(this.cfg, this.cfg.base, { id, ...rec, egress: rec.egress ?? OPEN_EGRESS });
  }

  private newId(): string {
    for (;;) {
      const id = randomBytes(4).toString("hex");
      if (!this.alloc.get(id) && !this.creating.has(id)) return id;
    }
  }
}
