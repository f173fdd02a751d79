/**
 * KeyedSerial runs tasks for the same key one after another (in call order) and tasks for
 * different keys in parallel, so the last write a caller issued is the one left on disk.
 */
export class KeyedSerial {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** run queues `task` behind earlier tasks of `key` and resolves with its result. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const prev = this.#tails.get(key) ?? Promise.resolve();
    const next = prev.then(task, task);
    const tail = next.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return next;
  }
}
