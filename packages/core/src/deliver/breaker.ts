/**
 * A circuit breaker per sink: after `threshold` consecutive failed batches it opens, and writes
 * stop (primary batches go to the spool) until `cooldownMs` has passed; then one probe is let
 * through (half-open). Its success closes the breaker, its failure opens it for another cool-down.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  #state: BreakerState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #probing = false;
  /** Times the breaker went from closed (or half-open) to open. */
  opened = 0;

  constructor(
    readonly threshold: number,
    readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): BreakerState {
    if (this.#state === 'open' && this.now() - this.#openedAt >= this.cooldownMs) this.#state = 'half-open';
    return this.#state;
  }

  /** Ms until a probe may be tried; 0 when writes may go ahead now. */
  get waitMs(): number {
    const state = this.state;
    if (state === 'closed') return 0;
    if (state === 'half-open') return this.#probing ? this.cooldownMs : 0;
    return Math.max(0, this.cooldownMs - (this.now() - this.#openedAt));
  }

  /** Whether a write may start now; in half-open state only one (the probe) is let through. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'half-open' && !this.#probing) {
      this.#probing = true;
      return true;
    }
    return false;
  }

  success(): void {
    this.#state = 'closed';
    this.#failures = 0;
    this.#probing = false;
  }

  /** `now`: open at once whatever the threshold (a write that hung past its timeout). */
  failure(now = false): void {
    this.#failures++;
    const wasProbe = this.#probing;
    this.#probing = false;
    if (this.threshold > 0 && (now || wasProbe || this.#failures >= this.threshold)) {
      if (this.#state !== 'open') this.opened++;
      this.#state = 'open';
      this.#openedAt = this.now();
    }
  }
}
