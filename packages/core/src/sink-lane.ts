/**
 * One sink's way to its destination: retries (SinkRunner), a circuit breaker, and for a primary
 * sink a disk spool. A primary batch the sink cannot take, or any batch while older ones wait in
 * the spool, goes to the spool and is replayed from it in order once the sink answers again. A
 * best-effort sink's failures are counted and reported only.
 */
import { EventBatch } from './batch';
import type { CircuitBreaker } from './breaker';
import type { SinkRunner } from './delivery';
import type { Spool } from './spool/spool';
import type { AuditEvent } from './types';

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
  #replaying: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #idleWaiters: Array<() => void> = [];
  #stopped = false;

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
    runner.stats.spooled = 0;
    runner.stats.replayed = 0;
    if (spool && spool.backlog > 0) this.#kick();
  }

  get name(): string {
    return this.runner.sink.name;
  }

  /** Delivers a sealed batch; resolves when the sink took it, it was spooled, or it failed (counted). */
  async deliver(batch: EventBatch): Promise<void> {
    const spool = this.spool;
    if (spool && (spool.backlog > 0 || !this.breaker.tryAcquire())) {
      // Behind older spooled batches, or the sink is known to be down: keep the order, skip the wait.
      await this.#toSpool(batch);
      return;
    }
    if (!spool && !this.breaker.tryAcquire()) {
      this.runner.skip(batch, `circuit open for sink "${this.name}"`);
      this.#syncState();
      return;
    }
    const ok = await this.runner.deliver(batch, !spool);
    this.#settle(ok);
    if (!ok && spool) await this.#toSpool(batch);
  }

  /**
   * Process exit: straight into the sink when it can write synchronously and nothing waits in
   * its spool; else into the spool (synchronously), so the order holds and the next process replays it.
   */
  deliverSync(batch: EventBatch): boolean {
    const spool = this.spool;
    if (spool && (spool.backlog > 0 || !this.runner.sink.writeSync || this.breaker.state !== 'closed')) {
      try {
        spool.appendSync(Buffer.from(batch.jsonl(), 'utf8'), batch.events.length);
        this.runner.stats.spooled! += batch.events.length;
        return true;
      } catch (error) {
        this.hooks.onSpoolFailure(this, error, batch.events.length);
        return false;
      }
    }
    return this.runner.deliverSync(batch);
  }

  /** Durable mode: the record goes to the spool first and reaches the sink only from there. */
  spoolRecord(payload: Buffer, events: number): Promise<void> {
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

  async #toSpool(batch: EventBatch): Promise<void> {
    const n = batch.events.length;
    try {
      await this.spool!.append(Buffer.from(batch.jsonl(), 'utf8'), n);
      this.runner.stats.spooled! += n;
    } catch (error) {
      this.runner.stats.failed += n;
      this.hooks.onSpoolFailure(this, error, n);
    }
    this.#kick();
  }

  #settle(ok: boolean): void {
    const opened = this.breaker.opened;
    if (ok) this.breaker.success();
    else this.breaker.failure();
    this.#syncState();
    if (this.breaker.opened > opened) this.hooks.onOpen(this);
  }

  #syncState(): void {
    this.runner.stats.breaker = this.breaker.state;
  }

  /** Starts replay now, or after the breaker's cool-down. */
  #kick(): void {
    if (this.#stopped || this.#replaying || this.#timer || !this.spool || this.spool.readable === 0) {
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
    while (!this.#stopped && spool.readable > 0) {
      // Records still being committed are not readable yet; their commit kicks replay again.
      const payloads = await spool.peek(this.maxReplayEvents);
      if (payloads.length === 0) return;
      let batch: EventBatch;
      try {
        batch = recordBatch(payloads);
      } catch (error) {
        // Checksummed yet unparseable: written by something else. Reported, and not retried forever.
        this.hooks.onBadRecord(this, error);
        await spool.consume(payloads.length);
        continue;
      }
      const probe = this.breaker.state === 'half-open';
      if (!this.breaker.tryAcquire()) return;
      // A probe is one try; otherwise the usual retries pace the replay of a struggling sink.
      const ok = await this.runner.deliver(batch, !this.primary, probe ? 1 : undefined);
      this.#settle(ok);
      if (!ok && this.primary) return;
      if (!ok) {
        // Best effort (durable mode spools every sink): counted as failed, not retried forever.
        await spool.consume(payloads.length);
        continue;
      }
      this.runner.stats.replayed! += batch.events.length;
      await spool.consume(payloads.length);
    }
  }

  #wakeIdle(): void {
    if (this.#replaying) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when replay has nothing it can do now: the spool is empty or the sink is down. */
  idle(): Promise<void> {
    if (!this.#replaying && (this.#timer || !this.spool || this.spool.backlog === 0))
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
