import { AsyncResource } from 'node:async_hooks';
import { EVENT_BASE_BYTES } from '../capture/enrich';
import type { ResolvedOptions } from '../options';
import { resumeChain } from '../seal/resume-chain';
import { CHECKPOINT_TYPE, EventBytes, type Sealer, type SealInput } from '../seal/sealer';
import { TextArena } from '../seal/text-arena';
import type { AuditError, AuditEvent, AuditStats } from '../types';
import { EventBatch } from './batch';
import { writesLinesOnly } from './line-sinks';
import { EventQueue } from './queue';
import { SinkSet, type Stored } from './sink-set';
import type { Spill } from './spool/spill';
import { StoredMark } from './stored-mark';

/**
 * The scope delivery is scheduled from: the module's load, not whichever request logged first.
 * Armed inside a request, a batch's timer would carry that request's async context into every
 * sink write (its AsyncLocalStorage stores, its trace) and keep it alive until the batch settled.
 */
const deliveryScope = new AsyncResource('auditkit.delivery');

/** Arms the batch timer: a turn of the event loop from now, or `delayMs` later. */
function schedule(run: () => void, delayMs: number): NodeJS.Timeout | NodeJS.Immediate {
  return delayMs > 0 ? setTimeout(run, delayMs) : setImmediate(run);
}

/** Events sealed between two turns of the event loop. */
const SEAL_SLICE = 128;

/**
 * Queue length from which events (when every sink writes lines) wait as their canonical text: a
 * queue this long is a burst, whose objects would outlive the garbage collector's young generation.
 */
const TEXT_QUEUE_AFTER = 128;

interface Waiter {
  target: number;
  resolve: () => void;
}

export interface DeliveryHooks {
  report(error: AuditError): void;
  /**
   * A batch was kept (taken by the sinks; in durable mode, by the spools), in chain order. Its
   * `events` may be read from its lines when first asked for: read them only when needed. `lines`,
   * when the seal stage wrote them, are the events' sealed JSON, one per event.
   */
  kept(batch: { readonly events: readonly AuditEvent[]; readonly lines?: readonly string[] }): void;
}

/**
 * Queue → seal → deliver: takes batches off the queue (and the overflow spill), seals them a
 * slice at a time and hands them to the sinks, one batch at a time in chain order; while one is
 * written, the next full batch is sealed, so hashing overlaps the sink's I/O. Counts every event
 * from queued to settled, so `flush()`, `logDurable()` and held responses know when theirs are done.
 */
export class DeliveryLoop {
  readonly #o: ResolvedOptions;
  readonly #hooks: DeliveryHooks;
  readonly #queue: EventQueue;
  readonly #sinks: SinkSet;
  readonly #sealer: Sealer | undefined;
  /** Queue overflow on disk (`spill`). */
  #spill: Spill | undefined;
  /** Set when the chain is sealed here and every sink writes lines only: events in a burst wait as text. */
  readonly #arena: TextArena | undefined;
  /** Listeners read each kept batch's events: while there are any, events wait as objects. */
  #eventsWatched = false;
  /** Chain resumption from the sinks; the first seal waits for it. */
  #resuming: Promise<void> | undefined;
  /** How many of the queued events are stored: `logDurable()` and held responses wait on it. */
  readonly #stored = new StoredMark();
  /** Events queued (less those lost on the way) and dropped here. */
  readonly #counts = { queued: 0, dropped: 0 };
  /** Events taken out of the queue and settled (delivered or failed); flush waits on this. */
  #settled = 0;
  /** Events taken out of the queue whose batch the sinks have not settled. */
  #inFlight = 0;
  /** Sealed while the previous batch is written; `drainSync()` takes it if the process ends first. */
  #ahead: { batch: EventBatch; events: number } | undefined;
  /** Batches handed to the sinks, oldest first; `done` once settled. */
  readonly #writing: Array<{ settled: Promise<void>; done: boolean }> = [];
  /** Set while the loop waits for a write with room for another: a full batch wakes it. */
  #filled: (() => void) | undefined;
  /** The newest batch's settling: a batch settles after the ones before it. */
  #settling: Promise<void> = Promise.resolve();
  #delivering = false;
  #closing = false;
  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  #timerDelay = 0;
  #flushWaiters: Waiter[] = [];
  #writableWaiters: Array<() => void> = [];
  /** What the batch timer runs: made once, not per batch. */
  readonly #fire = (): void => {
    this.#timer = undefined;
    void this.#run();
  };

  constructor(o: ResolvedOptions, sealer: Sealer | undefined, hooks: DeliveryHooks) {
    this.#o = o;
    this.#hooks = hooks;
    this.#sealer = sealer;
    this.#queue = new EventQueue(o.queue.maxEvents, o.queue.maxBytes);
    if (sealer && o.sinks.length > 0 && o.sinks.every(writesLinesOnly)) this.#arena = new TextArena();
    this.#sinks = new SinkSet(o, hooks.report, (spill) => {
      this.#spill = spill;
      // Sealed into this chain, ahead of new events.
      this.#counts.queued += spill.backlog;
      if (spill.backlog > 0) this.deliverSoon(0);
    });
    if (sealer && o.integrity?.resume)
      this.#resuming = resumeChain(sealer, this.#sinks.resumeSources()).finally(
        () => (this.#resuming = undefined),
      );
  }

  /** Pending while the spools open. */
  get ready(): Promise<void> | undefined {
    return this.#sinks.ready;
  }

  get counts(): Readonly<{ queued: number; dropped: number }> {
    return this.#counts;
  }

  /** Events queued, being sealed or written. */
  get busy(): boolean {
    return this.#queue.length > 0 || this.#delivering || this.#inFlight > 0;
  }

  get full(): boolean {
    return this.#queue.isFull();
  }

  /**
   * Queues an admitted event: in memory, or on disk behind a spill; false (counted) when dropped.
   * An event given as text needs a sealer (only the seal stage can turn it into a line).
   */
  enqueue(event: SealInput, bytes: number): boolean {
    const q = this.#queue;
    const spill = this.#spill;
    const full = q.isFull(bytes);
    if (spill && (spill.backlog > 0 || full)) {
      // Behind events already on disk, or no room: to disk, in order; they come back when there is room.
      this.#counts.queued++;
      spill.push(event, (error) => this.#spillFailed(error));
      this.deliverSoon(0);
      return true;
    }
    if (full && this.#o.queue.overflow === 'drop') {
      this.#counts.dropped++;
      this.#hooks.report({
        kind: 'dropped',
        message: `audit queue full (${q.length} events, ${q.bytes} bytes); events are being dropped`,
      });
      return false;
    }
    // A short queue empties within a turn or two, before its objects outlive the young generation.
    q.push(this.#arena && q.length >= TEXT_QUEUE_AFTER ? this.#asText(event, bytes) : event, bytes);
    this.#counts.queued++;
    // Once per batch: a delivery already running or scheduled picks this event up.
    if (this.#delivering) {
      if (this.#filled && q.length >= this.#o.batch.maxEvents) this.#wakeFilled();
      return true;
    }
    if (q.length >= this.#o.batch.maxEvents) this.deliverSoon(0);
    else if (this.#timer === undefined) this.deliverSoon(this.#o.batch.maxWaitMs);
    return true;
  }

  /**
   * An event of this logger's own (its source, not a checkpoint: what the sealer seals from text)
   * as its canonical text, when it can be written as such.
   */
  #asText(event: SealInput, bytes: number): SealInput {
    if (this.#eventsWatched || event instanceof EventBytes) return event;
    if (event.source !== this.#o.source || event.type === CHECKPOINT_TYPE) return event;
    return this.#arena!.textOf(event, bytes) ?? event;
  }

  /** Whether listeners read kept batches' events (which are parsed from lines for events queued as text). */
  watchSealed(on: boolean): void {
    this.#eventsWatched = on;
  }

  #spillFailed(error: unknown): void {
    this.#lost(1);
    this.#settled++;
    this.#hooks.report({
      kind: 'spool',
      cause: error,
      message: `queue overflow could not be spilled to disk; the event was dropped: ${String(error)}`,
    });
  }

  /** Events queued, then lost on the way (no primary sink nor spool took them): dropped after all. */
  #lost(events: number): void {
    this.#counts.queued -= events;
    this.#counts.dropped += events;
  }

  /** Every event accepted so far, counted as `#settled` counts them: settled, queued, in flight or spilled. */
  #accepted(): number {
    return this.#settled + this.#queue.length + this.#inFlight + (this.#spill?.backlog ?? 0);
  }

  /** Resolves once every event accepted so far is stored: true, or false when some could not be. */
  stored(): Promise<boolean> {
    return this.#stored.wait(this.#accepted());
  }

  deliverSoon(delayMs: number): void {
    if (this.#delivering) return; // the running loop picks the event up
    if (this.#timer) {
      if (delayMs > 0 || this.#timerDelay === 0) return;
      this.#clearTimer();
    }
    // Unref'd: an idle logger never keeps the process alive; beforeExit flushes what is left.
    this.#timerDelay = delayMs;
    // 0: as soon as the event loop has run what is ready, so what one turn logged is one batch.
    this.#timer = deliveryScope.runInAsyncScope(schedule, undefined, this.#fire, delayMs);
    this.#timer.unref();
  }

  #clearTimer(): void {
    const timer = this.#timer;
    this.#timer = undefined;
    if (timer === undefined) return;
    if (this.#timerDelay > 0) clearTimeout(timer as NodeJS.Timeout);
    else clearImmediate(timer as NodeJS.Immediate);
  }

  #waiting(): boolean {
    return this.#queue.length > 0 || (this.#spill?.backlog ?? 0) > 0;
  }

  /** Go on at once: a full batch is waiting, or someone waits for delivery (flush, durable, close). */
  #hurry(): boolean {
    return (
      this.#queue.length >= this.#o.batch.maxEvents ||
      this.#flushWaiters.length > 0 ||
      this.#stored.waiting ||
      this.#closing
    );
  }

  async #run(): Promise<void> {
    if (this.#delivering) return;
    this.#delivering = true;
    const max = this.#o.batch.maxEvents;
    const most = this.#sinks.writesInFlight;
    /** Batches the sinks are writing, oldest first: the next goes to them once there is room. */
    const writing = this.#writing;
    const oldest = async (): Promise<void> => {
      await writing.shift()?.settled;
    };
    try {
      while (this.#waiting()) {
        // Awaited only while pending: an `await` costs a promise and a turn of the microtask queue.
        if (this.#sinks.ready) await this.#sinks.ready;
        if (this.#resuming) await this.#resuming;
        if (this.#spill && this.#queue.length < max) {
          await this.#spill.take(max, (e) => this.#queue.push(e, EVENT_BASE_BYTES));
        }
        if (this.#queue.length === 0) break;
        const events = this.#queue.take(max);
        this.#inFlight += events.length;
        this.#wakeWritable();
        const batch = events.length <= SEAL_SLICE ? this.#seal(events) : await this.#sealInSlices(events);
        const ahead = { batch, events: events.length };
        this.#ahead = ahead;
        while (writing.length >= most) await oldest();
        if (this.#ahead !== ahead) break; // the process is ending: drainSync() wrote it
        this.#ahead = undefined;
        const write = { settled: this.#sinks.handOff(this.#store(batch, events.length)), done: false };
        // Only a loop with room for several writes looks at `done` (one write at a time awaits it).
        if (most > 1) void write.settled.then(() => (write.done = true)).catch(() => undefined);
        writing.push(write);
        // A full batch is waiting: seal it while this one is written.
        if (this.#queue.length >= max) continue;
        // Else the next batch collects in the queue while the oldest is written (group commit);
        // with room for another write, a batch that fills meanwhile goes at once.
        if (writing.length < most) {
          await Promise.race([writing[0]!.settled, this.#untilFilled()]);
          this.#filled = undefined;
          while (writing[0]?.done) writing.shift();
        } else await oldest();
        // Under light load wait for the batch to fill; under load (or when flushing) go on at once.
        if (!this.#hurry()) break;
      }
      // One write at a time: this run ends once it settled. Several: those in flight go on, and
      // the next run waits for room among them.
      if (most === 1) while (writing.length > 0) await oldest();
    } finally {
      this.#delivering = false;
    }
    if (this.#waiting()) this.deliverSoon(this.#o.batch.maxWaitMs);
  }

  /**
   * Takes a sealed batch of `events` queued events to the sinks; settles them when they answer.
   * With several batches in flight (sinks that commit in order), after the batches before it too.
   */
  #store(batch: EventBatch, events: number): Promise<void> {
    const settle = ({ kept, stored }: Stored): void => {
      if (kept) this.#hooks.kept(batch);
      else this.#lost(events);
      this.#inFlight -= events;
      this.#settled += events;
      this.#stored.advance(this.#settled, stored);
      this.#wakeFlushed();
    };
    if (this.#sinks.writesInFlight <= 1) return this.#sinks.store(batch).then(settle);
    const settled = Promise.all([this.#sinks.store(batch), this.#settling]).then(([stored]) =>
      settle(stored),
    );
    // A batch behind this one settles after it, whether or not settling it threw.
    this.#settling = settled.catch(() => undefined);
    return settled;
  }

  /**
   * Seal stage: the hash chain is applied here, in delivery order, so every sink receives
   * identical sealed events and the same JSON Lines (the canonical JSON that was hashed).
   */
  #seal(events: SealInput[]): EventBatch {
    if (!this.#sealer) return new EventBatch(events as AuditEvent[]);
    const sealed = this.#sealer.seal(events);
    return new EventBatch(sealed.events, sealed.lines);
  }

  /**
   * Seals a batch a slice at a time, letting the event loop run between slices: a 1,000-event batch
   * costs ~10 ms of hashing, which must not stall the requests the application is serving.
   */
  async #sealInSlices(events: SealInput[]): Promise<EventBatch> {
    if (!this.#sealer || events.length <= SEAL_SLICE) return this.#seal(events);
    // Sized for the whole batch: grown a slice at a time, its lines would be copied again and again.
    const out = this.#sealer.batch(events.length);
    for (let i = 0; i < events.length; i += SEAL_SLICE) {
      if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      this.#sealer.seal(events.slice(i, i + SEAL_SLICE), out);
    }
    return new EventBatch(out.events, out.lines);
  }

  /** Resolves once the queue holds a full batch (while the loop waits on a write with room for another). */
  #untilFilled(): Promise<void> {
    return new Promise((resolve) => {
      this.#filled = resolve;
    });
  }

  #wakeFilled(): void {
    const filled = this.#filled;
    this.#filled = undefined;
    filled?.();
  }

  #wakeWritable(): void {
    if (this.#writableWaiters.length === 0 || this.#queue.isFull()) return;
    const waiters = this.#writableWaiters;
    this.#writableWaiters = [];
    for (const w of waiters) w();
  }

  #wakeFlushed(): void {
    if (this.#flushWaiters.length === 0) return;
    const settled = this.#settled;
    this.#flushWaiters = this.#flushWaiters.filter((w) => {
      if (w.target > settled) return true;
      w.resolve();
      return false;
    });
  }

  whenWritable(): Promise<void> {
    if (!this.#queue.isFull()) return Promise.resolve();
    return new Promise((resolve) => this.#writableWaiters.push(resolve));
  }

  /** Wakes everyone waiting for room: the logger is closed. */
  releaseWriters(): void {
    for (const w of this.#writableWaiters) w();
    this.#writableWaiters = [];
  }

  /** Delivers everything accepted so far, waits for spooled batches' replay, then flushes the sinks. */
  async flush(): Promise<void> {
    const target = this.#accepted();
    if (target > this.#settled) {
      await new Promise<void>((resolve) => {
        this.#flushWaiters.push({ target, resolve });
        this.#clearTimer();
        deliveryScope.runInAsyncScope(() => void this.#run());
      });
    }
    // Spooled batches are safe; flush also waits for their replay, unless the sink is down.
    await this.#sinks.idle();
    await this.#sinks.flush();
  }

  /** From now on every batch goes out at once: close() is flushing. */
  startClosing(): void {
    this.#closing = true;
  }

  /** After the last flush: a final checkpoint, then the spools and sinks are closed. */
  async close(): Promise<void> {
    // A last checkpoint signs everything sealed since the previous one: the tail is covered.
    const sealed = this.#sealer?.final();
    const final = sealed && new EventBatch(sealed.events, sealed.lines);
    if (final && (await this.#sinks.store(final)).kept) this.#hooks.kept(final);
    await this.#sinks.idle();
    // What a down sink did not take stays in its spool for the next process.
    await this.#sinks.close(this.#spill);
  }

  /**
   * Process exit: no more I/O callbacks will run, so write what is left synchronously: the batch
   * sealed while the last one was written, then the queue.
   */
  drainSync(): void {
    const ahead = this.#ahead;
    this.#ahead = undefined;
    const events = this.#queue.take(this.#queue.length);
    let rest: EventBatch;
    if (this.#sealer) {
      const sealed = this.#sealer.seal(events);
      this.#sealer.final(sealed);
      rest = new EventBatch(sealed.events, sealed.lines);
    } else rest = new EventBatch(events as AuditEvent[]);
    const batch = ahead ? ahead.batch.concat(rest) : rest;
    const n = events.length + (ahead?.events ?? 0);
    if (ahead) this.#inFlight -= ahead.events;
    const kept = this.#sinks.drainSync(batch);
    if (batch.size === 0) return;
    this.#settled += n;
    if (!kept) this.#lost(n);
  }

  /** The queue's and the sinks' part of `stats()`. */
  stats(): Pick<AuditStats, 'queue' | 'sinks'> {
    return {
      queue: {
        events: this.#queue.length + (this.#spill?.backlog ?? 0),
        bytes: this.#queue.bytes,
        ...(this.#spill ? { spilled: this.#spill.backlog } : {}),
      },
      sinks: this.#sinks.stats(),
    };
  }
}
