/**
 * KeyedLock runs operations on one sandbox one at a time (create, pause, resume, destroy) while
 * operations on different sandboxes run in parallel; `holder` says what runs now (the watcher
 * leaves a sandbox alone while an operation owns it).
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>();
  readonly #holders = new Map<string, string>();

  /** run queues `task` behind earlier operations on `key`. */
  run<T>(key: string, what: string, task: () => Promise<T>): Promise<T> {
    const prev = this.#tails.get(key) ?? Promise.resolve();
    const start = async () => {
      this.#holders.set(key, what);
      try {
        return await task();
      } finally {
        this.#holders.delete(key);
      }
    };
    const next = prev.then(start, start);
    const tail = next.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return next;
  }

  /** holder names the operation running on `key`, if any. */
  holder(key: string): string | undefined {
    return this.#holders.get(key);
  }

  /** idle resolves once every queued operation has finished. */
  async idle(): Promise<void> {
    while (this.#tails.size > 0) await Promise.all(this.#tails.values());
  }
}
