import { EventBatch } from './batch';
import { getContext } from './context';
import { Deduplicator } from './dedup';
import { SinkRunner } from './delivery';
import { type ExitParticipant, registerExitParticipant, unregisterExitParticipant } from './exit-hooks';
import { newEventId } from './ids';
import { eventTime, normalizeScalars } from './normalize';
import { DEFAULTS, type ResolvedOptions, resolveOptions } from './options';
import { EventQueue } from './queue';
import { childPath } from './redaction';
import type { Sampler } from './sampling';
import { Sealer } from './seal';
import { severityRank } from './severity';
import { fileSink } from './sinks/file';
import { LOG_IN_CONTEXT } from './symbols';
import type {
  Actor,
  AuditContext,
  AuditError,
  AuditErrorKind,
  AuditEvent,
  AuditHealth,
  AuditInput,
  AuditLogger,
  AuditLoggerOptions,
  AuditStats,
  HealthStatus,
  SamplingRuleStats,
} from './types';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Keeps scrubbed objects; wraps anything else (`error: 'boom'`, `details: [1]`) under `key`. */
function asRecord(value: unknown, key: string): Record<string, unknown> {
  return isRecord(value) ? value : { [key]: typeof value === 'string' ? value : JSON.stringify(value) };
}

/** Events sealed between two turns of the event loop. */
const SEAL_SLICE = 128;

/** Fixed JSON overhead of an event's own fields, added to the scrubbed parts' estimate. */
const EVENT_BASE_BYTES = 320;

interface Waiter {
  target: number;
  resolve: () => void;
}

/**
 * The pipeline: enrich → admit → protect → queue → seal → deliver. `log()` does the first four
 * on the caller's stack (the record must reflect the moment it was made); sealing and delivery
 * run later, in batches.
 */
class Pipeline implements AuditLogger, ExitParticipant {
  readonly service: string;
  readonly signals: readonly NodeJS.Signals[];
  readonly #o: ResolvedOptions;
  readonly #queue: EventQueue;
  readonly #runners: SinkRunner[];
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
  #delivering = false;
  #timer: NodeJS.Timeout | undefined;
  #timerDelay = 0;
  #flushWaiters: Waiter[] = [];
  #writableWaiters: Array<() => void> = [];
  #closing: Promise<void> | undefined;
  #lastWarned = new Map<AuditErrorKind, number>();
  readonly #sealer: Sealer | undefined;
  /** Chain resumption from the sinks; the first seal waits for it. */
  #resuming: Promise<void> | undefined;
  readonly #dedup: Deduplicator | undefined;
  /** Adapters' own `sample` options seen in `[LOG_IN_CONTEXT]`, reported in stats. */
  readonly #requestSamplers = new Set<Sampler>();

  constructor(options: ResolvedOptions) {
    this.#o = options;
    if (options.dedup)
      this.#dedup = new Deduplicator(options.dedup, (e, bytes) => {
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
    if (options.flushOnExit || this.signals.length > 0) registerExitParticipant(this);
  }

  /** Asks the first sink that can tell for the newest sealed event; a failure starts a new chain. */
  async #resume(sealer: Sealer): Promise<void> {
    const sink = this.#o.sinks.find((s) => typeof s.lastSealed === 'function');
    if (!sink) return;
    try {
      sealer.resumeFrom(await sink.lastSealed!());
    } catch (error) {
      this.#report({
        kind: 'sink',
        sink: sink.name,
        cause: error,
        message: `could not read the last sealed event from sink "${sink.name}"; starting a new chain: ${String(error)}`,
      });
    }
  }

  get busy(): boolean {
    return this.#queue.length > 0 || this.#delivering || (this.#dedup?.pending ?? 0) > 0;
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

  #record(raw: AuditInput, ctx: AuditContext | undefined, sampler: Sampler | undefined): string | undefined {
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
    const event = {
      v: 1,
      id: newEventId(),
      time,
      type: scalars.type,
      category: scalars.category,
      action: scalars.action,
      outcome: scalars.outcome,
      severity: scalars.severity,
    } as AuditEvent;
    const s = o.scrubber;
    const paths = s.paths;
    let bytes = EVENT_BASE_BYTES;
    const budget = o.limits.maxDetailsBytes;
    if (typeof input.message === 'string') event.message = s.text(input.message);
    event.actor = this.#actor(input.actor, ctx);
    bytes += s.bytes;
    const tenant = input.tenant ?? ctx?.tenant;
    if (typeof tenant === 'string' && tenant.length > 0) event.tenant = s.text(tenant);
    if (input.resource !== undefined) {
      const resource = asRecord(s.scrub(input.resource, childPath(paths, 'resource'), budget), 'type');
      if (typeof resource.type !== 'string') resource.type = 'unknown';
      event.resource = resource as unknown as AuditEvent['resource'];
      bytes += s.bytes;
    }
    const request = isRecord(input.request)
      ? input.request
      : ctx?.request
        ? { ...ctx.request, id: ctx.requestId }
        : undefined;
    if (request !== undefined) {
      const requestPaths = childPath(paths, 'request');
      const { body, ...fields } = request;
      const scrubbed = s.scrub(fields, requestPaths, budget) as Record<string, unknown>;
      bytes += s.bytes;
      if (body !== undefined) {
        // A captured body has its own, usually smaller, budget and never crowds out the rest.
        scrubbed.body = s.scrub(body, childPath(requestPaths, 'body'), o.limits.maxBodyBytes);
        bytes += s.bytes;
      }
      event.request = scrubbed as AuditEvent['request'];
    }
    if (isRecord(input.changes)) {
      event.changes = s.scrub(
        input.changes,
        childPath(paths, 'changes'),
        budget * 2,
      ) as AuditEvent['changes'];
      bytes += s.bytes;
    }
    event.source = o.source;
    const correlationId = input.correlationId ?? ctx?.correlationId;
    if (typeof correlationId === 'string') event.correlationId = s.text(correlationId);
    if (ctx?.traceId) {
      event.traceId = ctx.traceId;
      if (ctx.spanId) event.spanId = ctx.spanId;
    }
    if (input.error !== undefined) {
      event.error = asRecord(
        s.scrub(input.error, childPath(paths, 'error'), budget),
        'message',
      ) as AuditEvent['error'];
      bytes += s.bytes;
    }
    if (input.details !== undefined) {
      event.details = asRecord(s.scrub(input.details, childPath(paths, 'details'), budget), 'value');
      bytes += s.bytes;
    }
    if (Array.isArray(input.compliance))
      event.compliance = input.compliance.filter((c) => typeof c === 'string');

    // admit: sampling and dedup see the finished, redacted event; before encryption, which would
    // make equal fields differ and cost time on events that are left out anyway.
    if (!this.#sampled(event, sampler)) return undefined;
    const dedupKey = this.#dedup?.keyOf(event);
    if (dedupKey !== undefined && this.#dedup!.repeat(dedupKey, event, bytes)) {
      this.#counters.deduplicated++;
      return undefined;
    }

    // protect: encryption after redaction, before anything leaves the caller's stack.
    if (!this.#protect(event) || !this.#enqueue(event, bytes)) return undefined;
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

  #actor(input: Partial<Actor> | undefined, ctx: AuditContext | undefined): Actor {
    const s = this.#o.scrubber;
    const merged =
      ctx?.actor || input
        ? { ...ctx?.actor, ...(input && typeof input === 'object' ? input : undefined) }
        : {};
    const actor = s.scrub(merged, childPath(s.paths, 'actor'), this.#o.limits.maxDetailsBytes) as Actor;
    if (typeof actor.type !== 'string') actor.type = actor.id ? 'user' : 'anonymous';
    if (ctx?.ip && actor.ip === undefined) actor.ip = ctx.ip;
    if (ctx?.userAgent && actor.userAgent === undefined) actor.userAgent = s.text(ctx.userAgent);
    return actor;
  }

  #filtered(): undefined {
    this.#counters.filtered++;
    return undefined;
  }

  #enqueue(event: AuditEvent, bytes: number): boolean {
    const q = this.#queue;
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

  #deliverSoon(delayMs: number): void {
    if (this.#delivering) return; // the running loop picks the event up
    if (this.#timer) {
      if (delayMs > 0 || this.#timerDelay === 0) return;
      clearTimeout(this.#timer);
    }
    // Unref'd: an idle logger never keeps the process alive; beforeExit flushes what is left.
    this.#timerDelay = delayMs;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#deliverLoop();
    }, delayMs);
    this.#timer.unref();
  }

  async #deliverLoop(): Promise<void> {
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      while (this.#queue.length > 0) {
        if (this.#resuming) {
          await this.#resuming;
          this.#resuming = undefined;
        }
        const events = this.#queue.take(this.#o.batch.maxEvents);
        this.#wakeWritable();
        await this.#deliverBatch(await this.#sealInSlices(events));
        this.#settled += events.length;
        this.#wakeFlushed();
        // Under light load wait for the batch to fill; under load (or when flushing) go on at once.
        if (this.#queue.length < this.#o.batch.maxEvents && this.#flushWaiters.length === 0 && !this.#closing)
          break;
      }
    } finally {
      this.#delivering = false;
    }
    if (this.#queue.length > 0) this.#deliverSoon(this.#o.batch.maxWaitMs);
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

  #deliverBatch(batch: EventBatch): Promise<boolean[]> {
    return Promise.all(this.#runners.map((r) => r.deliver(batch)));
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
    this.#dedup?.flush();
    const target = this.#settled + this.#queue.length + this.#inFlight();
    if (target > this.#settled) {
      await new Promise<void>((resolve) => {
        this.#flushWaiters.push({ target, resolve });
        if (this.#timer) clearTimeout(this.#timer);
        this.#timer = undefined;
        void this.#deliverLoop();
      });
    }
    await Promise.all(this.#runners.map((r) => this.#safeSinkCall(r, 'flush')));
  }

  /** Events taken from the queue whose batch has not settled yet. */
  #inFlight(): number {
    return this.#counters.queued - this.#queue.length - this.#settled;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#dedup?.close();
      await this.flush();
      // A last checkpoint signs everything sealed since the previous one: the tail is covered.
      const final = this.#sealer?.final();
      if (final) await this.#deliverBatch(new EventBatch(final.events, final.lines));
      await Promise.all(this.#runners.map((r) => this.#safeSinkCall(r, 'close')));
      unregisterExitParticipant(this);
      for (const w of this.#writableWaiters) w();
      this.#writableWaiters = [];
    })();
    return this.#closing;
  }

  async #safeSinkCall(runner: SinkRunner, method: 'flush' | 'close'): Promise<void> {
    try {
      await runner.sink[method]?.();
    } catch (error) {
      this.#report({
        kind: 'sink',
        sink: runner.sink.name,
        cause: error,
        message: `sink "${runner.sink.name}" ${method} failed: ${String(error)}`,
      });
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
    if (batch.events.length === 0) return;
    let written = false;
    for (const r of this.#runners) if (r.deliverSync(batch)) written = true;
    this.#settled += events.length;
    if (!written) this.#counters.dropped += events.length;
  }

  stats(): AuditStats {
    return {
      ...this.#counters,
      queue: { events: this.#queue.length, bytes: this.#queue.bytes },
      sinks: this.#runners.map((r) => ({ ...r.stats })),
      ...this.#admitStats(),
      ...(this.#sealer ? { integrity: this.#sealer.stats } : {}),
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
    const stats = this.stats();
    const reasons: string[] = [];
    let status: HealthStatus = 'ok';
    for (const sink of stats.sinks) {
      if (sink.consecutiveFailures >= this.#o.retry.attempts) {
        status = 'failing';
        reasons.push(`sink "${sink.name}" is failing: ${sink.lastError ?? 'unknown error'}`);
      } else if (sink.consecutiveFailures > 0) {
        reasons.push(`sink "${sink.name}" is retrying: ${sink.lastError ?? 'unknown error'}`);
      }
    }
    if (stats.dropped > 0) reasons.push(`${stats.dropped} events dropped`);
    if (this.#queue.isFull()) reasons.push('queue is full');
    if (stats.callbackErrors > 0) reasons.push(`${stats.callbackErrors} callback errors`);
    if (status === 'ok' && reasons.length > 0) status = 'degraded';
    return { status, reasons, stats };
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

  /** Tells the user once per interval per kind; `onError` hears every occurrence. */
  #report(error: AuditError): void {
    if (this.#o.onError) {
      try {
        this.#o.onError(error);
      } catch {
        // An onError that throws must not turn an audit problem into an application crash.
      }
      return;
    }
    const now = Date.now();
    const last = this.#lastWarned.get(error.kind) ?? 0;
    if (now - last < DEFAULTS.warnIntervalMs) return;
    this.#lastWarned.set(error.kind, now);
    process.emitWarning(`auditkit: ${error.message}`, { code: `AUDITKIT_${error.kind.toUpperCase()}` });
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
