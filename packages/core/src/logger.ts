import { types } from 'node:util';
import { Deduplicator } from './admit/dedup';
import type { Sampler } from './admit/sampling';
import { severityRank } from './admit/severity';
import type { AlertControl } from './alerts/types';
import { getContext } from './capture/context';
import { Enricher, EVENT_BASE_BYTES, type Given } from './capture/enrich';
import { eventTime, normalizeScalars } from './capture/normalize';
import { DEFAULTS } from './defaults';
import { EventBatch } from './deliver/batch';
import { SinkRunner } from './deliver/delivery';
import {
  type ExitParticipant,
  registerExitParticipant,
  unregisterExitParticipant,
} from './deliver/exit-hooks';
import { type HoldCounters, holdUntil } from './deliver/hold';
import { buildLane, openLanes } from './deliver/lanes';
import { EventQueue } from './deliver/queue';
import { SLOW_WRITE_MS } from './deliver/sink-health';
import type { SinkLane } from './deliver/sink-lane';
import { openSinks } from './deliver/sink-open';
import type { Spill } from './deliver/spool/spill';
import { StoredMark } from './deliver/stored-mark';
import { DetectStage } from './detect/stage';
import { type ResolvedOptions, resolveOptions } from './options';
import { pipelineHealth, Warnings } from './pipeline-health';
import { resumeChain } from './seal/resume-chain';
import { Sealer } from './seal/sealer';
import { fileSink } from './sinks/file';
import { HOLD_UNTIL_STORED, INGEST_EVENT, LOG_IN_CONTEXT, SUBSCRIBE_SEALED } from './symbols';
import type {
  AuditContext,
  AuditError,
  AuditErrorKind,
  AuditEvent,
  AuditHealth,
  AuditInput,
  AuditLogger,
  AuditLoggerOptions,
  AuditSink,
  AuditStats,
  SamplingRuleStats,
} from './types';

/** Events sealed between two turns of the event loop. */
const SEAL_SLICE = 128;

interface Waiter {
  target: number;
  resolve: () => void;
}

/** Hears every batch once it was delivered (or spooled, in durable mode), in chain order. */
export type SealedListener = (events: readonly AuditEvent[]) => void;

/**
 * The pipeline: enrich → admit → protect → detect → queue → seal → deliver. `log()` does the first
 * five on the caller's stack (the record must reflect the moment it was made; detection only
 * observes); sealing and delivery run later, in batches.
 */
class Pipeline implements AuditLogger, ExitParticipant {
  readonly service: string;
  readonly signals: readonly NodeJS.Signals[];
  readonly #o: ResolvedOptions;
  readonly #queue: EventQueue;
  readonly #runners: SinkRunner[];
  /** One per sink, built once the spools are open. */
  #lanes: SinkLane[] = [];
  /** Opening the spools; delivery and durable appends wait for it. */
  #ready: Promise<void> | undefined;
  /** Queue overflow on disk (`spill`). */
  #spill: Spill | undefined;
  /** How many of the queued events are stored: `logDurable()` and held responses wait on it. */
  readonly #stored = new StoredMark();
  /** Responses held until their events were stored (adapters' `holdResponse`); absent until one is. */
  #hold: HoldCounters | undefined;
  readonly #counters = {
    logged: 0,
    queued: 0,
    filtered: 0,
    sampledOut: 0,
    deduplicated: 0,
    dropped: 0,
    repaired: 0,
    callbackErrors: 0,
  };
  /** Events taken out of the queue and settled (delivered or failed); flush waits on this. */
  #settled = 0;
  /** Events taken out of the queue whose batch the sinks have not settled. */
  #inFlightEvents = 0;
  #delivering = false;
  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  #timerDelay = 0;
  #flushWaiters: Waiter[] = [];
  #writableWaiters: Array<() => void> = [];
  #closing: Promise<void> | undefined;
  readonly #warnings: Warnings;
  readonly #sealer: Sealer | undefined;
  /** Chain resumption from the sinks; the first seal waits for it. */
  #resuming: Promise<void> | undefined;
  /** Sinks' startup checks; resolves with the sinks that cannot write. */
  readonly #opened: Promise<Set<AuditSink>>;
  readonly #dedup: Deduplicator | undefined;
  /** Adapters' own `sample` options seen in `[LOG_IN_CONTEXT]`, reported in stats. */
  readonly #requestSamplers = new Set<Sampler>();
  /** Anomaly detection and alerting; absent unless configured. */
  readonly #detect: DetectStage | undefined;
  /** Detection may still record (anomalies, alert events) while close() drains it. */
  #detectOpen = true;
  readonly #sealedListeners = new Set<SealedListener>();
  readonly #enrich: Enricher;

  constructor(options: ResolvedOptions) {
    this.#o = options;
    this.#warnings = new Warnings(options.onError);
    this.#enrich = new Enricher(options);
    if (options.dedup)
      this.#dedup = new Deduplicator(options.dedup, (e, bytes) => {
        // The summary is the window's first repeat, counted as deduplicated until now.
        this.#counters.deduplicated--;
        if (this.#protect(e)) this.#enqueue(e, bytes);
      });
    this.service = options.source.service;
    this.signals = options.flushOnSignals;
    this.#queue = new EventQueue(options.queue.maxEvents, options.queue.maxBytes);
    this.#runners = options.sinks.map(
      (sink) =>
        new SinkRunner(sink, options.retry, (runner, error, final) =>
          this.#report({
            kind: 'sink',
            sink: runner.sink.name,
            cause: error,
            message: `sink "${runner.sink.name}" write failed${final ? ' after all retries' : ', retrying'}: ${
              error instanceof Error ? error.message : String(error)
            }`,
          }),
        ),
    );
    this.#opened = openSinks(options.sinks, options.retry.timeoutMs, (sink, error) => {
      const runner = this.#runners.find((r) => r.sink === sink)!;
      runner.stats.lastError =
        error instanceof Error || types.isNativeError(error) ? error.message : String(error);
      runner.stats.lastErrorAt = new Date().toISOString();
      runner.stats.consecutiveFailures++;
      this.#report({
        kind: 'sink',
        sink: sink.name,
        cause: error,
        message: `sink "${sink.name}" cannot write: ${runner.stats.lastError}`,
      });
    });
    // Opened first: durable mode resumes its chain from what the spools hold.
    if (options.spool) this.#ready = this.#openSpools(options.spool).finally(() => (this.#ready = undefined));
    else this.#lanes = this.#runners.map((r) => buildLane(options, r, undefined, (e) => this.#report(e)));
    const integrity = options.integrity;
    if (integrity) {
      this.#sealer = new Sealer({
        source: options.source,
        every: integrity.every,
        intervalMs: integrity.intervalMs,
        key: integrity.key,
        file: integrity.file,
        onError: (error) =>
          this.#report({ kind: 'sink', cause: error, message: `checkpoint file: ${String(error)}` }),
      });
      if (integrity.resume) this.#resuming = this.#resume(this.#sealer);
    }
    if (options.detect || options.alerts) {
      this.#detect = new DetectStage(
        options.detect,
        options.alerts,
        {
          emit: (input) => (this.#detectOpen ? this.#recordOwn(input) : this.log(input)),
          report: (kind, message, cause) => this.#report({ kind, message, cause }),
        },
        options.source.service,
      );
    }
    if (this.#resuming) this.#resuming = this.#resuming.finally(() => (this.#resuming = undefined));
    if (options.flushOnExit || this.signals.length > 0) registerExitParticipant(this);
  }

  get alerts(): AlertControl | undefined {
    return this.#detect?.alerts;
  }

  /** Records an event the detect stage made: like log(), without request context, also while closing. */
  #recordOwn(input: AuditInput): string | undefined {
    this.#counters.logged++;
    try {
      return this.#record(input, undefined, undefined);
    } catch (error) {
      this.#drop('invalid', `event could not be recorded: ${String(error)}`);
      return undefined;
    }
  }

  /** Opens the spools and lanes; overflow a previous process left on disk is delivered first. */
  async #openSpools(spool: NonNullable<ResolvedOptions['spool']>): Promise<void> {
    const { lanes, spill } = await openLanes(this.#o, spool, this.#runners, (e) => this.#report(e));
    if (spill) {
      this.#spill = spill;
      // Sealed into this chain, ahead of new events.
      this.#counters.queued += spill.backlog;
      if (spill.backlog > 0) this.#deliverSoon(0);
    }
    this.#lanes = lanes;
  }

  /** Resumes the chain from a durable spool's newest event, or from the first sink that can tell. */
  async #resume(sealer: Sealer): Promise<void> {
    await resumeChain(sealer, {
      durable: this.#o.durable,
      sinks: this.#o.sinks,
      ready: () => this.#ready,
      lanes: () => this.#lanes,
      opened: this.#opened,
      report: (e) => this.#report(e),
    });
  }

  get busy(): boolean {
    return (
      this.#queue.length > 0 ||
      this.#delivering ||
      this.#inFlightEvents > 0 ||
      (this.#dedup?.pending ?? 0) > 0
    );
  }

  get congested(): boolean {
    return this.#o.queue.overflow === 'block' && this.#queue.isFull();
  }

  log(input: AuditInput): string | undefined {
    return this[LOG_IN_CONTEXT](input, getContext());
  }

  /**
   * `log()` with the context given rather than looked up: adapters already hold it. `sampler` is
   * an adapter's own `sample` option, applied to its per-request event before the logger's.
   */
  [LOG_IN_CONTEXT](input: AuditInput, ctx: AuditContext | undefined, sampler?: Sampler): string | undefined {
    this.#counters.logged++;
    if (this.#closing) {
      this.#drop('closed', 'event logged after close() was called; it was not recorded');
      return undefined;
    }
    try {
      return this.#record(input, ctx, sampler);
    } catch (error) {
      // Unreachable by design (every stage is defensive); kept so a bug can never reach the caller.
      this.#drop(
        'invalid',
        `event could not be recorded: ${error instanceof Error ? error.message : String(error)}`,
      );
      return undefined;
    }
  }

  /**
   * Records a complete event made elsewhere (a service in another language, through an ingest API):
   * its id, time, source and trace ids are kept; everything else goes through the pipeline as in
   * `log()`, so it is redacted, admitted and sealed into this logger's chain.
   */
  [INGEST_EVENT](event: AuditEvent): string | undefined {
    this.#counters.logged++;
    if (this.#closing) {
      this.#drop('closed', 'event ingested after close() was called; it was not recorded');
      return undefined;
    }
    const { id, source, traceId, spanId, integrity: _i, protected: _p, v: _v, ...input } = event;
    try {
      return this.#record(input, undefined, undefined, { id, source, traceId, spanId });
    } catch (error) {
      this.#drop('invalid', `event could not be recorded: ${String(error)}`);
      return undefined;
    }
  }

  [SUBSCRIBE_SEALED](listener: SealedListener): () => void {
    this.#sealedListeners.add(listener);
    return () => this.#sealedListeners.delete(listener);
  }

  #announce(events: readonly AuditEvent[]): void {
    for (const listener of this.#sealedListeners) {
      try {
        listener(events);
      } catch (error) {
        this.#callbackFailed('sealed listener', error);
      }
    }
  }

  #record(
    raw: AuditInput,
    ctx: AuditContext | undefined,
    sampler: Sampler | undefined,
    given?: Given,
  ): string | undefined {
    const input: AuditInput =
      raw !== null && typeof raw === 'object' ? raw : { type: 'custom.event', details: { value: raw } };
    const o = this.#o;
    // admit: cheap scalar checks first, so filtered events cost almost nothing.
    const scalars = normalizeScalars(input);
    if (scalars.repaired || input !== raw) this.#counters.repaired++;
    if (o.minRank > 0 && severityRank(scalars.severity) < o.minRank) return this.#filtered();
    if (o.isExcludedType(scalars.type)) return this.#filtered();
    const { time, repaired } = eventTime(input.time);
    if (repaired) this.#counters.repaired++;

    // enrich + protect: everything caller-supplied goes through the scrubber exactly once.
    const event = this.#enrich.build(input, scalars, time, ctx, given);
    const bytes = this.#enrich.bytes;

    // admit: sampling and dedup see the finished, redacted event; before encryption, which would
    // make equal fields differ and cost time on events that are left out anyway.
    if (!this.#sampled(event, sampler)) return undefined;
    const dedupKey = this.#dedup?.keyOf(event);
    if (dedupKey !== undefined && this.#dedup!.repeat(dedupKey, event, bytes)) {
      this.#counters.deduplicated++;
      return undefined;
    }

    // protect: encryption after redaction, before anything leaves the caller's stack.
    if (!this.#protect(event)) return undefined;
    // detect: rules observe the event as stored; anomalies come back through log() later, never
    // from inside this call.
    if (this.#detect) this.#detect.observe(event);
    if (!this.#enqueue(event, bytes)) return undefined;
    if (dedupKey !== undefined) this.#dedup!.remember(dedupKey, event);
    return event.id;
  }

  #protect(event: AuditEvent): boolean {
    if (!this.#o.protector) return true;
    try {
      this.#o.protector.apply(event);
      return true;
    } catch (error) {
      // An event that cannot be protected is not recorded in the clear.
      this.#drop('invalid', `event could not be encrypted and was not recorded: ${String(error)}`);
      return false;
    }
  }

  /** The adapter's sampler (if any), then the logger's; a throwing sample function keeps the event. */
  #sampled(event: AuditEvent, sampler: Sampler | undefined): boolean {
    let keep: boolean;
    try {
      if (sampler) this.#requestSamplers.add(sampler);
      keep = (sampler === undefined || sampler.keep(event)) && this.#o.sampler.keep(event);
    } catch (error) {
      this.#callbackFailed('sample', error);
      keep = true;
    }
    if (!keep) this.#counters.sampledOut++;
    return keep;
  }

  #filtered(): undefined {
    this.#counters.filtered++;
    return undefined;
  }

  #enqueue(event: AuditEvent, bytes: number): boolean {
    const q = this.#queue;
    const spill = this.#spill;
    if (spill && (spill.backlog > 0 || q.isFull(bytes))) {
      // Behind events already on disk, or no room: to disk, in order; they come back when there is room.
      this.#counters.queued++;
      spill.push(event, (error) => this.#spillFailed(error));
      this.#deliverSoon(0);
      return true;
    }
    if (q.isFull(bytes) && this.#o.queue.overflow === 'drop') {
      this.#drop(
        'dropped',
        `audit queue full (${q.length} events, ${q.bytes} bytes); events are being dropped`,
      );
      return false;
    }
    q.push(event, bytes);
    this.#counters.queued++;
    if (q.length >= this.#o.batch.maxEvents) this.#deliverSoon(0);
    else this.#deliverSoon(this.#o.batch.maxWaitMs);
    return true;
  }

  #spillFailed(error: unknown): void {
    this.#lost(1);
    this.#settled++;
    this.#report({
      kind: 'spool',
      cause: error,
      message: `queue overflow could not be spilled to disk; the event was dropped: ${String(error)}`,
    });
  }

  /**
   * Where a sealed batch goes: `kept` when a primary sink or its spool has it (as `#deliverBatch`),
   * `stored` when every sink or spool does — what `logDurable()` and held responses wait for.
   */
  async #storeBatch(batch: EventBatch): Promise<{ kept: boolean; stored: boolean }> {
    if (!this.#o.durable) {
      const kept = await this.#deliverBatch(batch);
      return { kept, stored: kept };
    }
    // Durable mode: one record per spool (one fsync each); sinks are fed from there.
    const payload = Buffer.from(batch.jsonl(), 'utf8');
    const n = batch.events.length;
    const taken = await Promise.all(
      this.#lanes.map((l) =>
        l.spool
          ? l.spoolRecord(payload, n).then(
              () => true,
              () => false,
            )
          : // Its spool could not be opened: delivered directly, as in the default mode.
            l.deliver(batch),
      ),
    );
    const primaries = this.#lanes.some((l) => l.primary);
    return {
      kept: this.#lanes.length === 0 || this.#lanes.some((l, i) => taken[i] && (l.primary || !primaries)),
      stored: taken.every(Boolean),
    };
  }

  /** Every event accepted so far, counted as `#settled` counts them: settled, queued, in flight or spilled. */
  #accepted(): number {
    return this.#settled + this.#queue.length + this.#inFlight() + (this.#spill?.backlog ?? 0);
  }

  async logDurable(input: AuditInput): Promise<string | undefined> {
    const before = this.#counters.queued;
    const id = this.log(input);
    if (id === undefined) return undefined;
    if (this.#o.durable && this.#counters.queued > before)
      return (await this.#stored.wait(this.#accepted())) ? id : undefined;
    // Held by dedup, or the default mode: delivered (or failed) like everything before it.
    await this.flush();
    return id;
  }

  /**
   * Adapters' `holdResponse`: resolves once every event recorded so far is stored (durable mode:
   * fsynced in the spools; otherwise taken by the sinks or spooled), or after `timeoutMs`.
   */
  async [HOLD_UNTIL_STORED](timeoutMs: number): Promise<void> {
    this.#hold ??= { held: 0, expired: 0, lost: 0 };
    const hold = this.#hold;
    hold.held++;
    this.#deliverSoon(0);
    const result = await holdUntil(this.#stored.wait(this.#accepted()), timeoutMs);
    if (result === 'stored') return;
    hold[result]++;
    this.#report({
      kind: 'hold',
      message:
        result === 'expired'
          ? `a held response was released after ${timeoutMs} ms before its audit events were stored`
          : 'a held response was released although its audit events could not be stored',
    });
  }

  #deliverSoon(delayMs: number): void {
    if (this.#delivering) return; // the running loop picks the event up
    if (this.#timer) {
      if (delayMs > 0 || this.#timerDelay === 0) return;
      this.#clearTimer();
    }
    // Unref'd: an idle logger never keeps the process alive; beforeExit flushes what is left.
    this.#timerDelay = delayMs;
    const run = (): void => {
      this.#timer = undefined;
      void this.#deliverLoop();
    };
    // 0: as soon as the event loop has run what is ready, so what one turn logged is one batch.
    this.#timer = delayMs > 0 ? setTimeout(run, delayMs) : setImmediate(run);
    this.#timer.unref();
  }

  #clearTimer(): void {
    const timer = this.#timer;
    this.#timer = undefined;
    if (timer === undefined) return;
    if (this.#timerDelay > 0) clearTimeout(timer as NodeJS.Timeout);
    else clearImmediate(timer as NodeJS.Immediate);
  }

  async #deliverLoop(): Promise<void> {
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      while (this.#queue.length > 0 || (this.#spill?.backlog ?? 0) > 0) {
        await this.#ready;
        await this.#resuming;
        if (this.#spill && this.#queue.length < this.#o.batch.maxEvents) {
          for (const e of await this.#spill.take(this.#o.batch.maxEvents))
            this.#queue.push(e, EVENT_BASE_BYTES);
        }
        if (this.#queue.length === 0) break;
        const events = this.#queue.take(this.#o.batch.maxEvents);
        this.#inFlightEvents += events.length;
        this.#wakeWritable();
        const sealed = await this.#sealInSlices(events);
        // One batch in flight; the next one collects in the queue meanwhile (group commit).
        await this.#handOff(
          this.#storeBatch(sealed).then(({ kept, stored }) => {
            if (kept) this.#announce(sealed.events);
            else this.#lost(events.length);
            this.#inFlightEvents -= events.length;
            this.#settled += events.length;
            this.#stored.advance(this.#settled, stored);
            this.#wakeFlushed();
          }),
        );
        // Under light load wait for the batch to fill; under load (or when flushing) go on at once.
        if (
          this.#queue.length < this.#o.batch.maxEvents &&
          this.#flushWaiters.length === 0 &&
          !this.#stored.waiting &&
          !this.#closing
        )
          break;
      }
    } finally {
      this.#delivering = false;
    }
    if (this.#queue.length > 0 || (this.#spill?.backlog ?? 0) > 0) this.#deliverSoon(this.#o.batch.maxWaitMs);
  }

  /**
   * Seal stage: the hash chain is applied here, in delivery order, so every sink receives
   * identical sealed events and the same JSON Lines (the canonical JSON that was hashed).
   */
  #seal(events: AuditEvent[]): EventBatch {
    if (!this.#sealer) return new EventBatch(events);
    const sealed = this.#sealer.seal(events);
    return new EventBatch(sealed.events, sealed.lines);
  }

  /**
   * Seals a batch a slice at a time, letting the event loop run between slices: a 1,000-event batch
   * costs ~10 ms of hashing, which must not stall the requests the application is serving.
   */
  async #sealInSlices(events: AuditEvent[]): Promise<EventBatch> {
    if (!this.#sealer || events.length <= SEAL_SLICE) return this.#seal(events);
    const out: { events: AuditEvent[]; lines: string[] } = { events: [], lines: [] };
    for (let i = 0; i < events.length; i += SEAL_SLICE) {
      if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const sealed = this.#sealer.seal(events.slice(i, i + SEAL_SLICE));
      out.events.push(...sealed.events);
      out.lines.push(...sealed.lines);
    }
    return new EventBatch(out.events, out.lines);
  }

  /** Resolves whether the batch is kept: taken by a primary sink or its spool (any sink when none is primary). */
  async #deliverBatch(batch: EventBatch): Promise<boolean> {
    const kept = await Promise.all(this.#lanes.map((l) => l.deliver(batch)));
    const primaries = this.#lanes.some((l) => l.primary);
    return this.#lanes.length === 0 || this.#lanes.some((l, i) => kept[i] && (l.primary || !primaries));
  }

  /**
   * Waits for a batch's delivery or, when every sink has a spool, at most SLOW_WRITE_MS: a sink that
   * has not answered by then gets the next batches in its spool, so a hung sink never holds the
   * queue in memory, while a healthy one (even under load) keeps the direct path.
   */
  async #handOff(delivery: Promise<void>): Promise<void> {
    if (!this.#lanes.every((l) => l.spool)) return delivery;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      delivery,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, SLOW_WRITE_MS);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
  }

  /** Events queued, then lost on the way (no primary sink nor spool took them): dropped after all. */
  #lost(events: number): void {
    this.#counters.queued -= events;
    this.#counters.dropped += events;
  }

  #wakeWritable(): void {
    if (this.#writableWaiters.length === 0 || this.#queue.isFull()) return;
    const waiters = this.#writableWaiters;
    this.#writableWaiters = [];
    for (const w of waiters) w();
  }

  #wakeFlushed(): void {
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

  async flush(): Promise<void> {
    await this.#ready;
    this.#dedup?.flush();
    // Anomalies and alert events still being decided belong to what is flushed.
    if (this.#detect) await this.#detect.settle();
    const target = this.#accepted();
    if (target > this.#settled) {
      await new Promise<void>((resolve) => {
        this.#flushWaiters.push({ target, resolve });
        this.#clearTimer();
        void this.#deliverLoop();
      });
    }
    // Spooled batches are safe; flush also waits for their replay, unless the sink is down.
    await Promise.all(this.#lanes.map((l) => l.idle()));
    await Promise.all(this.#runners.map((r) => this.#safeSinkCall(r, 'flush')));
  }

  /** Events taken from the queue whose batch has not settled yet. */
  #inFlight(): number {
    return this.#inFlightEvents;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#dedup?.close();
      if (this.#detect) {
        await this.#detect.close();
        this.#detectOpen = false;
      }
      await this.flush();
      // A last checkpoint signs everything sealed since the previous one: the tail is covered.
      const final = this.#sealer?.final();
      if (final && (await this.#storeBatch(new EventBatch(final.events, final.lines))).kept)
        this.#announce(final.events);
      await Promise.all(this.#lanes.map((l) => l.idle()));
      // What a down sink did not take stays in its spool for the next process.
      await Promise.all(this.#lanes.map((l) => l.stop()));
      await this.#spill?.close();
      await Promise.all(this.#runners.map((r) => this.#safeSinkCall(r, 'close')));
      unregisterExitParticipant(this);
      for (const w of this.#writableWaiters) w();
      this.#writableWaiters = [];
    })();
    return this.#closing;
  }

  /** A sink's flush or close, bounded by the write timeout: a hung destination must not hold close() forever. */
  async #safeSinkCall(runner: SinkRunner, method: 'flush' | 'close'): Promise<void> {
    const ms = this.#o.retry.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(() => runner.sink[method]?.()),
        new Promise<never>((_, reject) => {
          if (ms <= 0) return;
          timer = setTimeout(() => reject(new Error(`did not finish within ${ms} ms`)), ms);
          timer.unref();
        }),
      ]);
    } catch (error) {
      this.#report({
        kind: 'sink',
        sink: runner.sink.name,
        cause: error,
        message: `sink "${runner.sink.name}" ${method} failed: ${String(error)}`,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Process exit: no more I/O callbacks will run, so write what is left synchronously. */
  drainSync(): void {
    this.#dedup?.close();
    const events = this.#queue.take(this.#queue.length);
    let batch: EventBatch;
    if (this.#sealer) {
      const sealed = this.#sealer.seal(events);
      const final = this.#sealer.final();
      if (final) {
        sealed.events.push(...final.events);
        sealed.lines.push(...final.lines);
      }
      batch = new EventBatch(sealed.events, sealed.lines);
    } else batch = new EventBatch(events);
    if (this.#o.durable) for (const l of this.#lanes) l.spool?.flushSync();
    if (batch.events.length === 0) return;
    let written = false;
    const primaries = this.#lanes.some((l) => l.primary);
    for (const l of this.#lanes) {
      const taken = this.#o.durable && l.spool ? l.spoolSync(batch) : l.deliverSync(batch);
      if (taken && (l.primary || !primaries)) written = true;
    }
    this.#settled += events.length;
    if (!written) this.#lost(events.length);
  }

  stats(): AuditStats {
    return {
      ...this.#counters,
      queue: {
        events: this.#queue.length + (this.#spill?.backlog ?? 0),
        bytes: this.#queue.bytes,
        ...(this.#spill ? { spilled: this.#spill.backlog } : {}),
      },
      sinks: this.#runners.map((r, i) => this.#lanes[i]?.stats() ?? { ...r.stats }),
      ...this.#admitStats(),
      ...(this.#sealer ? { integrity: this.#sealer.stats } : {}),
      ...(this.#hold ? { hold: { ...this.#hold } } : {}),
      ...this.#detect?.stats(),
    };
  }

  /** Per-rule sampling counts and dedup windows, when either is in use. */
  #admitStats(): Pick<AuditStats, 'sampling' | 'dedup'> {
    const out: Pick<AuditStats, 'sampling' | 'dedup'> = {};
    const rules: SamplingRuleStats[] = [];
    for (const r of this.#o.sampler.stats() ?? []) rules.push({ ...r, scope: 'logger' });
    for (const sampler of this.#requestSamplers)
      for (const r of sampler.stats() ?? []) rules.push({ ...r, scope: 'request' });
    if (rules.length > 0) out.sampling = { rules };
    if (this.#dedup) out.dedup = this.#dedup.stats;
    return out;
  }

  health(): AuditHealth {
    return pipelineHealth(
      this.stats(),
      this.#o.retry.attempts,
      this.#queue.isFull(),
      this.#detect?.reasons(),
    );
  }

  /** Counts a throwing user callback; adapters call this through `reportCallbackError`. */
  #callbackFailed(name: string, error: unknown): void {
    this.#counters.callbackErrors++;
    this.#report({
      kind: 'callback',
      cause: error,
      message: `${name} callback threw: ${error instanceof Error ? error.message : String(error)}`,
    });
  }

  reportCallbackError(name: string, error: unknown): void {
    this.#callbackFailed(name, error);
  }

  #drop(kind: AuditErrorKind, message: string): void {
    this.#counters.dropped++;
    this.#report({ kind, message });
  }

  #report(error: AuditError): void {
    this.#warnings.report(error);
  }
}

/** Creates a logger: one typed options object, resolved and compiled once, here. */
export function createAuditLogger(options: AuditLoggerOptions = {}): AuditLogger {
  const resolved = resolveOptions(options, () => [
    fileSink({ path: `${DEFAULTS.logDir}/${DEFAULTS.logFile}` }),
  ]);
  return new Pipeline(resolved);
}

/** Reports a throwing user callback to a logger's stats and error channel, if it supports that. */
export function reportCallbackError(logger: AuditLogger, name: string, error: unknown): void {
  const target = logger as Partial<Pick<Pipeline, 'reportCallbackError'>>;
  if (typeof target.reportCallbackError === 'function') target.reportCallbackError(name, error);
}

/**
 * Records a complete, schema-valid event made elsewhere through `logger`'s pipeline, keeping its
 * id (the idempotency key), time, source and trace ids; `integrity` and `protected` are the
 * logger's to set and are ignored. Returns the id, or undefined when the logger filtered, sampled
 * out or dropped it (see `stats()`). Needs a logger made by `createAuditLogger`.
 */
export function ingestEvent(logger: AuditLogger, event: AuditEvent): string | undefined {
  const target = logger as Partial<Pick<Pipeline, typeof INGEST_EVENT>>;
  if (typeof target[INGEST_EVENT] !== 'function')
    throw new TypeError('ingestEvent: the logger was not made by createAuditLogger');
  return target[INGEST_EVENT](event);
}

/**
 * Calls `listener` with every batch `logger` delivered (in durable mode: spooled), sealed and in
 * chain order, after the sinks took it; a live view of what the stores hold. A throwing listener is
 * counted in `stats().callbackErrors`. Returns the function that removes the listener.
 */
export function subscribeSealed(logger: AuditLogger, listener: SealedListener): () => void {
  const target = logger as Partial<Pick<Pipeline, typeof SUBSCRIBE_SEALED>>;
  if (typeof target[SUBSCRIBE_SEALED] !== 'function')
    throw new TypeError('subscribeSealed: the logger was not made by createAuditLogger');
  return target[SUBSCRIBE_SEALED](listener);
}
