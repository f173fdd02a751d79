import { mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { writeFileAtomic } from "../state/index.js";
import { type Cidr, formatCidr } from "./cidr.js";
import type { Egress } from "./egress.js";
import { NetworkError } from "./errors.js";
import { SLOT_ID, slotCapacity } from "./slot.js";

/** SlotRecord is what survives an agent restart about one slot. */
export interface SlotRecord {
  index: number;
  /** sandboxId is set once the slot is handed to a sandbox; pool slots have none. */
  sandboxId?: string;
  egress?: Egress;
}

interface StateFile {
  version: 1;
  baseCidr: string;
  /** next is the next-fit cursor, so a freed /30 is not reused right away. */
  next: number;
  slots: Record<string, SlotRecord>;
}

/**
 * Allocator hands out /30 indexes of the base CIDR and persists every slot record in one JSON
 * file (atomic replace), so allocations survive a crash and are never reused while in use.
 * Mutations are synchronous in memory; each resolves once its state is on disk.
 */
export class Allocator {
  private readonly slots = new Map<string, SlotRecord>();
  private readonly used = new Set<number>();
  private next = 0;
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly base: Cidr,
  ) {}

  /** open loads the state file (a missing file is an empty state). */
  static async open(file: string, base: Cidr): Promise<Allocator> {
    const a = new Allocator(file, base);
    const text = await readFileIfExists(file);
    if (text === undefined) return a;
    let st: StateFile;
    try {
      st = JSON.parse(text) as StateFile;
      if (st.version !== 1 || typeof st.slots !== "object" || st.slots === null) throw new Error("bad shape");
    } catch (err) {
      throw new NetworkError("state_corrupt", `${file}: unreadable network state`, { cause: err });
    }
    const entries = Object.entries(st.slots);
    if (entries.length > 0 && st.baseCidr !== formatCidr(base)) {
      throw new NetworkError(
        "invalid_config",
        `${file}: slots were allocated from ${st.baseCidr}, but the base CIDR is now ${formatCidr(base)}`,
      );
    }
    const cap = slotCapacity(base);
    for (const [id, rec] of entries) {
      if (!SLOT_ID.test(id) || !Number.isInteger(rec.index) || rec.index < 0 || rec.index >= cap) {
        throw new NetworkError("state_corrupt", `${file}: bad slot record ${id}`);
      }
      if (a.used.has(rec.index))
        throw new NetworkError("state_corrupt", `${file}: /30 ${rec.index} used twice`);
      a.slots.set(id, rec);
      a.used.add(rec.index);
    }
    a.next = Number.isInteger(st.next) && st.next >= 0 && st.next < cap ? st.next : 0;
    return a;
  }

  /** get returns a slot's record. */
  get(id: string): SlotRecord | undefined {
    return this.slots.get(id);
  }

  /** entries lists every persisted slot. */
  entries(): [string, SlotRecord][] {
    return [...this.slots.entries()];
  }

  /** allocate reserves the next free /30 for `id` ("exhausted" when none is left). */
  allocate(id: string): Promise<number> {
    if (this.slots.has(id)) {
      return Promise.reject(new NetworkError("invalid_config", `slot ${id} already allocated`));
    }
    const cap = slotCapacity(this.base);
    for (let i = 0; i < cap; i++) {
      const index = (this.next + i) % cap;
      if (this.used.has(index)) continue;
      this.used.add(index);
      this.slots.set(id, { index });
      this.next = (index + 1) % cap;
      return this.persist().then(() => index);
    }
    return Promise.reject(
      new NetworkError("exhausted", `all ${cap} /30 networks of ${formatCidr(this.base)} are in use`),
    );
  }

  /** update changes a slot's owner or egress policy. */
  update(id: string, patch: Partial<Omit<SlotRecord, "index">>): Promise<void> {
    const rec = this.slots.get(id);
    if (!rec) return Promise.reject(new NetworkError("not_found", `no network slot ${id}`));
    this.slots.set(id, { ...rec, ...patch });
    return this.persist();
  }

  /** free releases a slot's /30 (freeing an unknown id is a no-op). */
  free(id: string): Promise<void> {
    const rec = this.slots.get(id);
    if (!rec) return Promise.resolve();
    this.slots.delete(id);
    this.used.delete(rec.index);
    return this.persist();
  }

  /** persist chains a write of the latest state after any write in flight. */
  private persist(): Promise<void> {
    const write = async () => {
      const st: StateFile = {
        version: 1,
        baseCidr: formatCidr(this.base),
        next: this.next,
        slots: Object.fromEntries(this.slots),
      };
      await mkdir(dirname(this.file), { recursive: true });
      await writeFileAtomic(this.file, `${JSON.stringify(st, null, 2)}\n`);
    };
    const p = this.writing.then(write, write);
    this.writing = p.catch(() => {});
    return p;
  }
}

/** readFileIfExists returns the file's text, or undefined when it does not exist. */
async function readFileIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}
