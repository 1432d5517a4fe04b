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
