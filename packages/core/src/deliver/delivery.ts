import type { AuditSink, SinkStats } from '../types';
import type { EventBatch } from './batch';

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

export class SinkTimeoutError extends Error {
  constructor(sink: string, ms: number) {
    super(`sink "${sink}" did not finish a write within ${ms} ms`);
    this.name = 'SinkTimeoutError';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Races a write against the timeout; the timer never outlives the write. */
function withTimeout(write: () => Promise<void> | void, sink: string, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = ms > 0 ? setTimeout(() => reject(new SinkTimeoutError(sink, ms)), ms) : undefined;
    const done = (error?: unknown): void => {
      if (timer) clearTimeout(timer);
      if (error === undefined) resolve();
      else reject(error);
    };
    try {
      Promise.resolve(write()).then(
        () => done(),
        (error: unknown) => done(error ?? new Error('sink write rejected')),
      );
    } catch (error) {
      done(error ?? new Error('sink write threw'));
    }
  });
}

/** A sink marks an error it would hit again on every try (a rejected document) with `retryable: false`. */
function isPermanent(error: unknown): boolean {
  return (error as { retryable?: unknown } | null)?.retryable === false;
}

/** Full-jitter exponential backoff (AWS architecture blog): spreads retries of many instances. */
export function backoffDelay(
  attempt: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * cap);
}

/**
 * How a delivery ended: taken, refused after every attempt, given up on at its first timeout, or
 * not tried again because the sink's circuit opened meanwhile.
 */
export type DeliveryOutcome = 'delivered' | 'failed' | 'timed-out' | 'skipped';

export interface DeliverOptions {
  /** false: the caller keeps the batch (spools it), so it is not counted as failed. Default true. */
  countFailed?: boolean;
  /** Attempts, including the first. Default the retry policy's. */
  attempts?: number;
  /** Give up at the first timeout: a hung sink is not retried while a spool can hold the batch. */
  stopOnTimeout?: boolean;
  /** false: the caller counts what was taken (a replay from the spool). Default true. */
  countDelivered?: boolean;
}

/**
 * A write to a sink that commits in order (`AuditSink.writesInFlight`), as the write after it
 * sees it: how its first attempt ended, and its outcome after every retry.
 */
export interface InOrderWrite {
  /** Resolves once the first attempt stored the batch; rejects when that attempt failed. */
  readonly first: Promise<void>;
  readonly outcome: Promise<DeliveryOutcome>;
}

/** Delivers batches to one sink with timeout, retries and backoff; keeps that sink's counters. */
export class SinkRunner {
  readonly stats: SinkStats;

  constructor(
    readonly sink: AuditSink,
    private readonly policy: RetryPolicy,
    private readonly onFailure: (runner: SinkRunner, error: unknown, final: boolean) => void,
  ) {
    this.stats = { name: sink.name, delivered: 0, failed: 0, retries: 0, consecutiveFailures: 0 };
  }

  /** Resolves with how the delivery ended. Never rejects. */
  deliver(batch: EventBatch, options: DeliverOptions = {}): Promise<DeliveryOutcome> {
    // The first attempt without an async frame: it is the only one, unless the sink fails.
    return this.#attempt(batch).then(
      (): DeliveryOutcome => {
        this.#delivered(batch, options);
        return 'delivered';
      },
      (error: unknown) => this.#retry(batch, options, error),
    );
  }

  #attempt(batch: EventBatch): Promise<void> {
    return withTimeout(() => this.sink.write(batch), this.sink.name, this.policy.timeoutMs);
  }

  /** After a failed first attempt: counted, then tried again with backoff until the attempts run out. */
  async #retry(batch: EventBatch, options: DeliverOptions, error: unknown): Promise<DeliveryOutcome> {
    const attempts = options.attempts ?? this.policy.attempts;
    for (let attempt = 1; ; attempt++) {
      const outcome = this.#failed(batch, error, attempt >= attempts, options);
      if (outcome) return outcome;
      await sleep(backoffDelay(attempt, this.policy));
      try {
        await this.#attempt(batch);
        this.#delivered(batch, options);
        return 'delivered';
      } catch (e) {
        error = e;
      }
    }
  }

  /**
   * An in-order write (`AuditSink.writesInFlight`) behind `ahead`, the write before it when that
   * one is still in flight: the first attempt starts at once and the sink commits it only after
   * `ahead`'s first attempt stored its batch, or rolls it back when that attempt failed. Every
   * retry (of a roll-back, which is not counted as a failure, or of a failure of its own) waits
   * until `ahead` has settled, so it never commits ahead of it. A roll-back is not tried again
   * when `openCircuit()` then gives a reason (the failure ahead opened the sink's circuit): the
   * batch is skipped as any batch meeting an open circuit is. Never rejects.
   */
  deliverInOrder(
    batch: EventBatch,
    ahead: InOrderWrite | undefined,
    openCircuit: () => string | undefined,
  ): InOrderWrite {
    const first = withTimeout(
      () => (ahead ? this.sink.write(batch, { after: ahead.first }) : this.sink.write(batch)),
      this.sink.name,
      this.policy.timeoutMs,
    );
    first.catch(() => {}); // the write behind this one may fail before it awaits it
    const outcome = first.then(
      (): DeliveryOutcome => {
        this.#delivered(batch, {});
        return 'delivered';
      },
      async (error: unknown): Promise<DeliveryOutcome> => {
        const rolledBack =
          ahead !== undefined &&
          (await ahead.first.then(
            () => false,
            () => true,
          ));
        let attempts = this.policy.attempts;
        if (!rolledBack) {
          const outcome = this.#failed(batch, error, attempts <= 1, {});
          if (outcome) return outcome;
          attempts--;
          await sleep(backoffDelay(1, this.policy));
        }
        await ahead?.outcome;
        const open = rolledBack ? openCircuit() : undefined;
        if (open !== undefined) {
          this.skip(batch, open);
          return 'skipped';
        }
        return this.deliver(batch, { attempts });
      },
    );
    return { first, outcome };
  }

  #delivered(batch: EventBatch, options: DeliverOptions): void {
    if (options.countDelivered !== false) this.stats.delivered += batch.size;
    this.stats.consecutiveFailures = 0;
    this.stats.lastSuccessAt = new Date().toISOString();
  }

  /** Counts and reports a failed attempt; the outcome when it was the last, else undefined (retried). */
  #failed(
    batch: EventBatch,
    error: unknown,
    last: boolean,
    options: DeliverOptions,
  ): DeliveryOutcome | undefined {
    this.stats.consecutiveFailures++;
    this.stats.lastError = error instanceof Error ? error.message : String(error);
    this.stats.lastErrorAt = new Date().toISOString();
    const timedOut = error instanceof SinkTimeoutError && options.stopOnTimeout === true;
    const final = last || isPermanent(error) || timedOut;
    this.onFailure(this, error, final);
    if (!final) {
      this.stats.retries++;
      return undefined;
    }
    if (options.countFailed !== false) this.stats.failed += batch.size;
    return timedOut ? 'timed-out' : 'failed';
  }

  /** A batch not even tried (the sink's circuit is open): counted as failed, with the reason. */
  skip(batch: EventBatch, reason: string): void {
    this.stats.failed += batch.size;
    this.stats.skipped = (this.stats.skipped ?? 0) + batch.size;
    this.stats.lastError = reason;
  }

  /** Synchronous best effort at process exit; false when the sink cannot write synchronously. */
  deliverSync(batch: EventBatch): boolean {
    if (!this.sink.writeSync) return false;
    try {
      this.sink.writeSync(batch);
      this.stats.delivered += batch.size;
      return true;
    } catch (error) {
      this.stats.failed += batch.size;
      this.onFailure(this, error, true);
      return false;
    }
  }
}
