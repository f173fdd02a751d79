import { NetworkError } from "./errors.js";

/** PoolHooks: `discard` tears down a slot the pool no longer wants; `onError` hears refill failures. */
export interface PoolHooks {
  discard: (id: string) => Promise<void>;
  onError: (err: NetworkError) => void;
}

/**
 * SlotPool keeps up to `size` ready, unassigned slots, refilled one at a time in the background
 * so slow set-up stays off the create path. A failed refill stops until the next refill() call.
 */
export class SlotPool {
  private ready: string[] = [];
  private filling: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly make: () => Promise<{ id: string }>,
    private readonly hooks: PoolHooks,
  ) {}

  /** take hands out a ready slot id, or undefined when the pool is empty. */
  take(): string | undefined {
    return this.ready.shift();
  }

  /** forget drops a slot from the pool (it is being released). */
  forget(id: string): void {
    this.ready = this.ready.filter((x) => x !== id);
  }

  /** ids lists the ready slots. */
  ids(): string[] {
    return [...this.ready];
  }

  /** refill starts the background fill unless it is running, full or closed. */
  refill(): void {
    if (this.closed || this.filling || this.ready.length >= this.size) return;
    let failed = false;
    this.filling = (async () => {
      while (!this.closed && this.ready.length < this.size) {
        try {
          const slot = await this.make();
          if (this.closed) await this.hooks.discard(slot.id);
          else this.ready.push(slot.id);
        } catch (err) {
          failed = true;
          this.hooks.onError(asNetworkError(err));
          return;
        }
      }
    })().finally(() => {
      this.filling = null;
      if (!failed) this.refill(); // a take() may have raced the loop's last check
    });
  }

  /** idle resolves when no refill is running. */
  async idle(): Promise<void> {
    while (this.filling) await this.filling;
  }

  /** close stops refilling and discards every ready slot. */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
    const ids = this.ready;
    this.ready = [];
    for (const id of ids)
      await this.hooks.discard(id).catch((err) => this.hooks.onError(asNetworkError(err)));
  }
}

function asNetworkError(err: unknown): NetworkError {
  if (err instanceof NetworkError) return err;
  return new NetworkError("command_failed", err instanceof Error ? err.message : String(err), { cause: err });
}
