/**
 * One sink's way to its destination: retries (SinkRunner), a circuit breaker, and for a primary
 * sink a disk spool. A primary batch the sink cannot take, any batch while older ones wait in
 * the spool, and any batch that arrives while a write is still outstanding goes to the spool and
 * is replayed from it in order once the sink answers again: a hung sink costs one batch of memory,
 * never the queue. A best-effort sink's failures are counted and reported only.
 */

import type { AuditEvent, SinkStats } from '../types';
import { EventBatch } from './batch';
import type { CircuitBreaker } from './breaker';
import type { DeliveryOutcome, InOrderWrite, SinkRunner } from './delivery';
import { afterStored, lastStoredId } from './replay-resume';
import type { Spool } from './spool/spool';

/** A direct write the sink has not answered yet. */
interface OutstandingWrite {
  readonly batch: EventBatch;
  readonly since: number;
  /** Set once later batches had to be spooled: this one went into the spool ahead of them. */
  spooled?: Promise<boolean>;
}

export interface LaneHooks {
  /** A batch could not be spooled (spool full, disk error): its events are lost for this sink. */
  onSpoolFailure(lane: SinkLane, error: unknown, events: number): void;
  /** The breaker opened: writes stop until the cool-down ends. */
  onOpen(lane: SinkLane): void;
  /** A spooled record could not be parsed back into events. */
  onBadRecord(lane: SinkLane, error: unknown): void;
}

/** Parses a spooled record (the batch's JSON Lines) back into a batch carrying the same lines. */
function recordBatch(payloads: readonly Buffer[]): EventBatch {
  const events: AuditEvent[] = [];
  const lines: string[] = [];
  for (const payload of payloads) {
    for (const line of payload.toString('utf8').split('\n')) {
      if (line.length === 0) continue;
      events.push(JSON.parse(line) as AuditEvent);
      lines.push(line);
    }
  }
  return new EventBatch(events, lines);
}

export class SinkLane {
  #writing: OutstandingWrite | undefined;
  /** The newest write still in flight to a sink that commits in order: the next one goes behind it. */
  #newest: InOrderWrite | undefined;
  /** Events handed to deliver() whose fate (delivered, spooled, failed) is not known yet. */
  #inFlight = 0;
  #replaying: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #idleWaiters: Array<() => void> = [];
  #stopped = false;
  /** Records left by a previous process: the sink may already hold the first of them. */
  #resumeCheck: boolean;

  constructor(
    readonly runner: SinkRunner,
    readonly primary: boolean,
    readonly breaker: CircuitBreaker,
    readonly spool: Spool | undefined,
    private readonly maxReplayEvents: number,
    private readonly hooks: LaneHooks,
  ) {
    runner.stats.primary = primary;
    runner.stats.breaker = 'closed';
    runner.stats.queued = 0;
    runner.stats.spooled = 0;
    runner.stats.replayed = 0;
    this.#resumeCheck = (spool?.backlog ?? 0) > 0;
    if (spool && spool.backlog > 0) this.#kick();
  }

  get name(): string {
    return this.runner.sink.name;
  }

  /**
   * Delivers a sealed batch. Resolves true once the sink took it or the spool holds it, false when
   * it is lost for this sink (counted in `failed`).
   */
  deliver(batch: EventBatch): Promise<boolean> {
    const n = batch.size;
    this.runner.stats.queued! += n;
    this.#inFlight += n;
    return this.#route(batch).finally(() => {
      this.#inFlight -= n;
    });
  }

  /** Where a batch goes: through the spool when the lane has one, else straight to the sink. */
  #route(batch: EventBatch): Promise<boolean> {
    if (this.spool) return this.#routeSpooled(batch, this.spool);
    // Behind a probe still in flight to a sink that commits in order: stored only if the probe is.
    const behindProbe = this.#newest !== undefined && this.breaker.state === 'half-open';
    if (!behindProbe && !this.breaker.tryAcquire()) {
      this.runner.skip(batch, this.#circuitOpen());
      this.#syncState();
      return Promise.resolve(false);
    }
    return this.#deliverDirect(batch);
  }

  async #routeSpooled(batch: EventBatch, spool: Spool): Promise<boolean> {
    if (this.#writing) {
      // The sink has not answered the last write: keep this batch on disk, behind that one.
      this.#writing.spooled ??= this.#append(this.#writing.batch);
      return this.#toSpool(batch);
    }
    if (spool.backlog > 0 || !this.breaker.tryAcquire()) {
      // Behind older spooled batches, or the sink is known to be down: keep the order, skip the wait.
      return this.#toSpool(batch);
    }
    const write: OutstandingWrite = { batch, since: Date.now() };
    this.#writing = write;
    const outcome = await this.runner.deliver(batch, { countFailed: false, stopOnTimeout: true });
    this.#writing = undefined;
    this.#settle(outcome);
    const n = batch.size;
    let kept: boolean;
    if (write.spooled) {
      // Already in the spool, ahead of the batches that came meanwhile.
      const onDisk = await write.spooled;
      if (outcome === 'delivered') {
        if (onDisk) await spool.consume(1); // the oldest record: this batch, taken already
        kept = true;
      } else if (onDisk) {
        this.runner.stats.spooled! += n;
        kept = true;
      } else {
        this.runner.stats.failed += n;
        kept = false;
      }
      this.#kick();
      return kept;
    }
    if (outcome === 'delivered') {
      this.#kick();
      return true;
    }
    return this.#toSpool(batch);
  }

  /**
   * Without a spool, the breaker settled by the outcome. A sink that commits in order takes a
   * batch while the one before it is still written (the delivery loop bounds how many); any other
   * gets one write at a time from the loop.
   */
  #deliverDirect(batch: EventBatch): Promise<boolean> {
    if ((this.runner.sink.writesInFlight ?? 1) <= 1) return this.runner.deliver(batch).then(this.#settled);
    return this.#deliverInOrder(batch);
  }

  async #deliverInOrder(batch: EventBatch): Promise<boolean> {
    const write = this.runner.deliverInOrder(batch, this.#newest, () =>
      this.breaker.state === 'open' ? this.#circuitOpen() : undefined,
    );
    // The write behind this one looks at the breaker once this outcome has moved it.
    const settled: InOrderWrite = {
      first: write.first,
      outcome: write.outcome.then((outcome) => {
        this.#settle(outcome);
        return outcome;
      }),
    };
    this.#newest = settled;
    const outcome = await settled.outcome;
    if (this.#newest === settled) this.#newest = undefined;
    return outcome === 'delivered';
  }

  /** Settles the breaker by a direct write's outcome; whether the sink took the batch. Made once, not per batch. */
  readonly #settled = (outcome: DeliveryOutcome): boolean => {
    this.#settle(outcome);
    return outcome === 'delivered';
  };

  /** Why a batch is not tried: the sink's circuit is open (or its one probe is out). */
  #circuitOpen(): string {
    return `circuit open for sink "${this.name}"`;
  }

  /** How long the outstanding write has waited for the sink (ms); 0 when none is outstanding. */
  get writingMs(): number {
    return this.#writing ? Date.now() - this.#writing.since : 0;
  }

  /** The sink's counters with what only the lane knows: events in flight, the write's wait, the spool. */
  stats(): SinkStats {
    const stats: SinkStats = { ...this.runner.stats, inFlight: this.#inFlight };
    const writing = this.writingMs;
    if (writing > 0) stats.writingMs = writing;
    if (this.spool) stats.spool = this.spool.stats;
    return stats;
  }

  /**
   * Process exit: straight into the sink when it can write synchronously and nothing waits in
   * its spool; else into the spool (synchronously), so the order holds and the next process replays it.
   */
  deliverSync(batch: EventBatch): boolean {
    const spool = this.spool;
    this.runner.stats.queued! += batch.size;
    if (
      spool &&
      (spool.backlog > 0 || this.#writing || !this.runner.sink.writeSync || this.breaker.state !== 'closed')
    ) {
      try {
        spool.appendSync(batch.bytes(), batch.size);
        this.runner.stats.spooled! += batch.size;
        return true;
      } catch (error) {
        this.hooks.onSpoolFailure(this, error, batch.size);
        return false;
      }
    }
    return this.runner.deliverSync(batch);
  }

  /** Durable mode: the record goes to the spool first and reaches the sink only from there. */
  spoolRecord(payload: Buffer, events: number): Promise<void> {
    this.runner.stats.queued! += events;
    return this.spool!.append(payload, events).then(
      () => {
        this.runner.stats.spooled! += events;
        this.#kick();
      },
      (error: unknown) => {
        this.runner.stats.failed += events;
        this.hooks.onSpoolFailure(this, error, events);
        throw error;
      },
    );
  }

  /** Durable mode at process exit: the batch goes into the spool synchronously; false if it could not. */
  spoolSync(batch: EventBatch): boolean {
    this.runner.stats.queued! += batch.size;
    try {
      this.spool!.appendSync(batch.bytes(), batch.size);
      this.runner.stats.spooled! += batch.size;
      return true;
    } catch (error) {
      this.hooks.onSpoolFailure(this, error, batch.size);
      return false;
    }
  }

  async #toSpool(batch: EventBatch): Promise<boolean> {
    const n = batch.size;
    const kept = await this.#append(batch);
    if (kept) this.runner.stats.spooled! += n;
    else this.runner.stats.failed += n;
    this.#kick();
    return kept;
  }

  /** Appends a batch to the spool; false (reported) when the spool refused it. */
  async #append(batch: EventBatch): Promise<boolean> {
    try {
      await this.spool!.append(batch.bytes(), batch.size);
      return true;
    } catch (error) {
      this.hooks.onSpoolFailure(this, error, batch.size);
      return false;
    }
  }

  /** A write past its timeout opens the breaker at once: the sink is down until a probe says otherwise. */
  #settle(outcome: DeliveryOutcome): void {
    if (outcome === 'skipped') {
      this.#syncState(); // not tried: says nothing about the sink
      return;
    }
    const opened = this.breaker.opened;
    if (outcome === 'delivered') this.breaker.success();
    else this.breaker.failure(outcome === 'timed-out');
    this.#syncState();
    if (this.breaker.opened > opened) this.hooks.onOpen(this);
  }

  #syncState(): void {
    this.runner.stats.breaker = this.breaker.state;
  }

  /** Starts replay now, or after the breaker's cool-down. */
  #kick(): void {
    if (
      this.#stopped ||
      this.#writing ||
      this.#replaying ||
      this.#timer ||
      !this.spool ||
      this.spool.readable === 0
    ) {
      this.#wakeIdle();
      return;
    }
    const wait = this.breaker.waitMs;
    if (wait > 0) {
      this.#wakeIdle(); // nothing will move before the cool-down: flush need not wait for it
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#kick();
      }, wait);
      this.#timer.unref();
      return;
    }
    this.#replaying = this.#replay().finally(() => {
      this.#replaying = undefined;
      this.#kick();
    });
  }

  /** Replays spooled records in order, one write per group, until the spool is empty or a write fails. */
  async #replay(): Promise<void> {
    const spool = this.spool!;
    let stored: string | undefined;
    if (this.#resumeCheck) {
      this.#resumeCheck = false;
      stored = await lastStoredId(this.runner.sink);
    }
    while (!this.#stopped && spool.readable > 0) {
      // Records still being committed are not readable yet; their commit kicks replay again.
      const payloads = await spool.peek(this.maxReplayEvents);
      if (payloads.length === 0) return;
      let batch: EventBatch;
      try {
        batch = recordBatch(payloads);
        if (stored !== undefined) {
          // Only the first batch after a restart can overlap what the sink took before the crash.
          batch = afterStored(batch, stored);
          stored = undefined;
          if (batch.size === 0) {
            await spool.consume(payloads.length);
            continue;
          }
        }
      } catch (error) {
        // Checksummed yet unparseable: written by something else. Reported, and not retried forever.
        this.hooks.onBadRecord(this, error);
        await spool.consume(payloads.length);
        continue;
      }
      const probe = this.breaker.state === 'half-open';
      if (!this.breaker.tryAcquire()) return;
      // A probe is one try; otherwise the usual retries pace the replay of a struggling sink.
      const outcome = await this.runner.deliver(batch, {
        countFailed: !this.primary,
        attempts: probe ? 1 : undefined,
        stopOnTimeout: this.primary,
        countDelivered: false,
      });
      this.#settle(outcome);
      const ok = outcome === 'delivered';
      if (!ok && this.primary) return;
      if (!ok) {
        // Best effort (durable mode spools every sink): counted as failed, not retried forever.
        await spool.consume(payloads.length);
        continue;
      }
      this.runner.stats.replayed! += batch.size;
      await spool.consume(payloads.length);
    }
  }

  #wakeIdle(): void {
    if (this.#replaying || this.#writing) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when replay has nothing it can do now: the spool is empty or the sink is down. */
  idle(): Promise<void> {
    if (!this.#writing && !this.#replaying && (this.#timer || !this.spool || this.spool.backlog === 0))
      return Promise.resolve();
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve);
      this.#kick();
    });
  }

  /** Stops replaying; what is left stays in the spool for the next process. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#replaying;
    this.#wakeIdle();
    await this.spool?.close();
  }
}
