import { Admission, LEFT_OUT } from './admit/admit';
import type { Sampler } from './admit/sampling';
import type { AlertControl } from './alerts/types';
import { getContext } from './capture/context';
import { Enricher, type Given } from './capture/enrich';
import { eventTime, isoNow, normalizeScalars } from './capture/normalize';
import { type DeliveryHooks, DeliveryLoop } from './deliver/delivery-loop';
import {
  type ExitParticipant,
  registerExitParticipant,
  unregisterExitParticipant,
} from './deliver/exit-hooks';
import { HeldResponses } from './deliver/hold';
import { WorkerDelivery } from './deliver/worker/worker-delivery';
import { DetectStage } from './detect/stage';
import type { ResolvedOptions } from './options';
import { type PipelineCounts, pipelineHealth, pipelineStats, Warnings } from './pipeline-health';
import { Sealer } from './seal/sealer';
import { HOLD_UNTIL_STORED, INGEST_EVENT, LOG_IN_CONTEXT, SUBSCRIBE_SEALED } from './symbols';
import type {
  AuditContext,
  AuditError,
  AuditErrorKind,
  AuditEvent,
  AuditHealth,
  AuditInput,
  AuditLogger,
  AuditStats,
} from './types';

/**
 * Hears every batch once it was delivered (or spooled, in durable mode), in chain order. `lines`,
 * when sealing is on, are the events' sealed JSON as stored (canonical, as hashed), one per event:
 * a listener that sends events on as JSON need not serialize them again.
 */
export type SealedListener = (events: readonly AuditEvent[], lines?: readonly string[]) => void;

/**
 * The pipeline: enrich → admit → protect → detect → queue → seal → deliver. `log()` does the first
 * five on the caller's stack (the record must reflect the moment it was made; detection only
 * observes); sealing and delivery run later, in batches, in the delivery loop. This class only
 * wires the stages and counts what none of them owns.
 */
export class Pipeline implements AuditLogger, ExitParticipant {
  readonly service: string;
  readonly signals: readonly NodeJS.Signals[];
  readonly #o: ResolvedOptions;
  readonly #counts: PipelineCounts = { logged: 0, dropped: 0, repaired: 0, callbackErrors: 0 };
  readonly #warnings: Warnings;
  readonly #enrich: Enricher;
  readonly #admit: Admission;
  readonly #sealer: Sealer | undefined;
  /** Queue → seal → deliver: on this thread, or (the `worker` option) on a worker thread. */
  readonly #loop: DeliveryLoop | WorkerDelivery;
  /** Anomaly detection and alerting; absent unless configured. */
  readonly #detect: DetectStage | undefined;
  /** Detection may still record (anomalies, alert events) while close() drains it. */
  #detectOpen = true;
  /** Responses held until their events were stored (adapters' `holdResponse`). */
  readonly #held = new HeldResponses();
  readonly #sealedListeners = new Set<SealedListener>();
  #closing: Promise<void> | undefined;

  constructor(options: ResolvedOptions) {
    this.#o = options;
    this.service = options.source.service;
    this.signals = options.flushOnSignals;
    const report = (e: AuditError): void => this.#report(e);
    this.#warnings = new Warnings(options.onError);
    this.#enrich = new Enricher(options);
    this.#admit = new Admission(options, {
      summary: (e, bytes) => {
        if (this.#protect(e)) this.#loop.enqueue(e, bytes);
      },
      callbackFailed: (name, error) => this.#callbackFailed(name, error),
    });
    const integrity = options.integrity;
    if (integrity && !options.worker)
      this.#sealer = new Sealer({
        source: options.source,
        every: integrity.every,
        intervalMs: integrity.intervalMs,
        key: integrity.key,
        file: integrity.file,
        onError: (error) =>
          report({ kind: 'sink', cause: error, message: `checkpoint file: ${String(error)}` }),
      });
    const hooks: DeliveryHooks = {
      report,
      // Lines and events are read from the batch only for listeners.
      kept: (batch) => {
        if (this.#sealedListeners.size > 0) this.#announce(batch.events, batch.lines);
      },
    };
    this.#loop = options.worker
      ? new WorkerDelivery(options, hooks)
      : new DeliveryLoop(options, this.#sealer, hooks);
    if (options.detect || options.alerts)
      this.#detect = new DetectStage(
        options.detect,
        options.alerts,
        {
          emit: (input) => (this.#detectOpen ? this.#recordOwn(input) : this.log(input)),
          report: (kind, message, cause) => report({ kind, message, cause }),
        },
        options.source.service,
      );
    if (options.flushOnExit || this.signals.length > 0) registerExitParticipant(this);
  }

  get alerts(): AlertControl | undefined {
    return this.#detect?.alerts;
  }

  get busy(): boolean {
    return this.#loop.busy || this.#admit.pending > 0;
  }

  get congested(): boolean {
    return this.#o.queue.overflow === 'block' && this.#loop.full;
  }

  log(input: AuditInput): string | undefined {
    return this[LOG_IN_CONTEXT](input, getContext());
  }

  /**
   * `log()` with the context given rather than looked up: adapters already hold it. `sampler` is
   * an adapter's own `sample` option, applied to its per-request event before the logger's.
   */
  [LOG_IN_CONTEXT](input: AuditInput, ctx: AuditContext | undefined, sampler?: Sampler): string | undefined {
    this.#counts.logged++;
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
    this.#counts.logged++;
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

  /** Records an event the detect stage made: like log(), without request context, also while closing. */
  #recordOwn(input: AuditInput): string | undefined {
    this.#counts.logged++;
    try {
      return this.#record(input, undefined, undefined);
    } catch (error) {
      this.#drop('invalid', `event could not be recorded: ${String(error)}`);
      return undefined;
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
    // admit: cheap scalar checks first, so filtered events cost almost nothing.
    const scalars = normalizeScalars(input);
    if (scalars.repaired || input !== raw) this.#counts.repaired++;
    if (!this.#admit.passes(scalars)) return undefined;
    const time = input.time === undefined ? isoNow() : this.#givenTime(input.time);
    // enrich + protect: everything caller-supplied goes through the scrubber exactly once.
    const event = this.#enrich.build(input, scalars, time, ctx, given);
    const bytes = this.#enrich.bytes;
    // admit: sampling and dedup see the finished, redacted event.
    const admitted = this.#admit.admit(event, bytes, sampler);
    if (admitted === LEFT_OUT) return undefined;
    // protect: encryption after redaction, before anything leaves the caller's stack.
    if (!this.#protect(event)) return undefined;
    // detect: rules observe the event as stored; anomalies come back through log() later, never
    // from inside this call.
    if (this.#detect) this.#detect.observe(event);
    if (!this.#loop.enqueue(event, bytes)) return undefined;
    if (admitted !== undefined) this.#admit.recorded(admitted, event);
    return event.id;
  }

  /** The caller's `time`, or now when it is not a valid time (counted as repaired). */
  #givenTime(given: NonNullable<AuditInput['time']>): string {
    const { time, repaired } = eventTime(given);
    if (repaired) this.#counts.repaired++;
    return time;
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

  [SUBSCRIBE_SEALED](listener: SealedListener): () => void {
    this.#sealedListeners.add(listener);
    this.#loop.watchSealed(true);
    return () => {
      const removed = this.#sealedListeners.delete(listener);
      if (this.#sealedListeners.size === 0) this.#loop.watchSealed(false);
      return removed;
    };
  }

  #announce(events: readonly AuditEvent[], lines: readonly string[] | undefined): void {
    for (const listener of this.#sealedListeners) {
      try {
        listener(events, lines);
      } catch (error) {
        this.#callbackFailed('sealed listener', error);
      }
    }
  }

  async logDurable(input: AuditInput): Promise<string | undefined> {
    const before = this.#loop.counts.queued;
    const id = this.log(input);
    if (id === undefined) return undefined;
    if (this.#o.durable && this.#loop.counts.queued > before)
      return (await this.#loop.stored()) ? id : undefined;
    // Held by dedup, or the default mode: delivered (or failed) like everything before it.
    await this.flush();
    return id;
  }

  /**
   * Adapters' `holdResponse`: resolves once every event recorded so far is stored (durable mode:
   * fsynced in the spools; otherwise taken by the sinks or spooled), or after `timeoutMs`.
   */
  async [HOLD_UNTIL_STORED](timeoutMs: number): Promise<void> {
    this.#loop.deliverSoon(0);
    const problem = await this.#held.hold(this.#loop.stored(), timeoutMs);
    if (problem) this.#report({ kind: 'hold', message: problem });
  }

  whenWritable(): Promise<void> {
    return this.#loop.whenWritable();
  }

  async flush(): Promise<void> {
    await this.#loop.ready;
    this.#admit.flush();
    // Anomalies and alert events still being decided belong to what is flushed.
    if (this.#detect) await this.#detect.settle();
    await this.#loop.flush();
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#loop.startClosing();
      this.#admit.close();
      if (this.#detect) {
        await this.#detect.close();
        this.#detectOpen = false;
      }
      await this.flush();
      await this.#loop.close();
      unregisterExitParticipant(this);
      this.#loop.releaseWriters();
    })();
    return this.#closing;
  }

  /** Process exit: no more I/O callbacks will run, so write what is left synchronously. */
  drainSync(): void {
    this.#admit.close();
    this.#loop.drainSync();
  }

  stats(): AuditStats {
    const hold = this.#held.stats;
    return pipelineStats(this.#counts, this.#admit, this.#loop, {
      ...(this.#sealer ? { integrity: this.#sealer.stats } : {}),
      ...(hold ? { hold } : {}),
      ...this.#detect?.stats(),
    });
  }

  health(): AuditHealth {
    return pipelineHealth(this.stats(), this.#o.retry.attempts, this.#loop.full, this.#detect?.reasons());
  }

  /** Counts a throwing user callback; adapters call this through `reportCallbackError`. */
  reportCallbackError(name: string, error: unknown): void {
    this.#callbackFailed(name, error);
  }

  #callbackFailed(name: string, error: unknown): void {
    this.#counts.callbackErrors++;
    this.#report({
      kind: 'callback',
      cause: error,
      message: `${name} callback threw: ${error instanceof Error ? error.message : String(error)}`,
    });
  }

  #drop(kind: AuditErrorKind, message: string): void {
    this.#counts.dropped++;
    this.#report({ kind, message });
  }

  #report(error: AuditError): void {
    this.#warnings.report(error);
  }
}
