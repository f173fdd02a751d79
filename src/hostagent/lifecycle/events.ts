import type { SandboxEvent } from "./types.js";

/** MAX_QUEUED bounds one slow subscriber's backlog; older events are dropped first. */
const MAX_QUEUED = 1024;

/**
 * EventBus fans sandbox events out to WatchEvents subscribers. Publishing never blocks: each
 * subscriber has its own bounded queue, so a stalled stream cannot hold up a lifecycle operation.
 */
export class EventBus {
  readonly #subs = new Set<(e: SandboxEvent) => void>();
  #closed = false;
  readonly #onClose = new Set<() => void>();

  /** publish delivers one event to every current subscriber. */
  publish(e: SandboxEvent): void {
    for (const s of this.#subs) s(e);
  }

  /** subscribe yields events until `signal` aborts or the bus closes. */
  async *subscribe(signal: AbortSignal): AsyncGenerator<SandboxEvent> {
    const queue: SandboxEvent[] = [];
    let wake: (() => void) | undefined;
    const push = (e: SandboxEvent) => {
      queue.push(e);
      if (queue.length > MAX_QUEUED) queue.shift();
      wake?.();
    };
    const stop = () => wake?.();
    this.#subs.add(push);
    this.#onClose.add(stop);
    signal.addEventListener("abort", stop, { once: true });
    try {
      while (!signal.aborted && !this.#closed) {
        const e = queue.shift();
        if (e) {
          yield e;
          continue;
        }
        await new Promise<void>((r) => {
          wake = r;
        });
        wake = undefined;
      }
    } finally {
      this.#subs.delete(push);
      this.#onClose.delete(stop);
      signal.removeEventListener("abort", stop);
    }
  }

  /** close ends every subscription (agent shutdown). */
  close(): void {
    this.#closed = true;
    for (const f of this.#onClose) f();
  }
}
