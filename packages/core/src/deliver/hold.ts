/**
 * Holding a response until its audit events are stored, for at most `timeoutMs`: the policy
 * behind the adapters' `holdResponse` option. The logger counts what this reports.
 */
export type HoldResult = 'stored' | 'lost' | 'expired';

/** Races `stored` (true: on disk, false: could not be stored) against the hold's time limit. */
export function holdUntil(stored: Promise<boolean>, timeoutMs: number): Promise<HoldResult> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('expired'), timeoutMs);
    stored.then(
      (ok) => {
        clearTimeout(timer);
        resolve(ok ? 'stored' : 'lost');
      },
      () => {
        clearTimeout(timer);
        resolve('lost');
      },
    );
  });
}

/** Counts of held responses, as `stats().hold` reports them. */
export interface HoldCounters {
  held: number;
  expired: number;
  lost: number;
}

/** The adapters' held responses: counts how each hold ended and tells what went wrong. */
export class HeldResponses {
  #counters: HoldCounters | undefined;

  /** Absent until a response is held. */
  get stats(): HoldCounters | undefined {
    return this.#counters && { ...this.#counters };
  }

  /** Holds until `stored` settles or `timeoutMs` passes; resolves with a message when it was not stored in time. */
  async hold(stored: Promise<boolean>, timeoutMs: number): Promise<string | undefined> {
    this.#counters ??= { held: 0, expired: 0, lost: 0 };
    const counters = this.#counters;
    counters.held++;
    const result = await holdUntil(stored, timeoutMs);
    if (result === 'stored') return undefined;
    counters[result]++;
    return result === 'expired'
      ? `a held response was released after ${timeoutMs} ms before its audit events were stored`
      : 'a held response was released although its audit events could not be stored';
  }
}
