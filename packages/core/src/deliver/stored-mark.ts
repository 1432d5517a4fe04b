/**
 * How far the pipeline has stored what it accepted: event number `n` (counted in the order
 * events were queued) is stored once the mark reaches `n`. Batches settle in queue order, so one
 * number answers "is everything up to here on disk" for `logDurable()` and held responses.
 */
interface MarkWaiter {
  target: number;
  resolve: (stored: boolean) => void;
}

export class StoredMark {
  #at = 0;
  #waiters: MarkWaiter[] = [];

  /** Events settled so far. */
  get at(): number {
    return this.#at;
  }

  /** True while someone waits: delivery then goes on at once rather than waiting for a full batch. */
  get waiting(): boolean {
    return this.#waiters.length > 0;
  }

  /**
   * Resolves once event `target` has settled: true when its batch was stored, false when it
   * could not be (its spool append failed). A target already passed resolves true at once.
   */
  wait(target: number): Promise<boolean> {
    if (target <= this.#at) return Promise.resolve(true);
    return new Promise((resolve) => {
      // Targets arrive in increasing order almost always: append, and insert only when not.
      const w = this.#waiters;
      let i = w.length;
      while (i > 0 && w[i - 1]!.target > target) i--;
      w.splice(i, 0, { target, resolve });
    });
  }

  /** The batch ending at event `to` settled; `stored` false when it was lost. */
  advance(to: number, stored = true): void {
    if (to > this.#at) this.#at = to;
    const w = this.#waiters;
    let n = 0;
    while (n < w.length && w[n]!.target <= this.#at) n++;
    if (n === 0) return;
    for (const waiter of w.splice(0, n)) waiter.resolve(stored);
  }
}
