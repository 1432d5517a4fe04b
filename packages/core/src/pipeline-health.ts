import type { Admission } from './admit/admit';
import { DEFAULTS } from './defaults';
import type { DeliveryLoop } from './deliver/delivery-loop';
import { sinkHealth } from './deliver/sink-health';
import type { AuditError, AuditErrorKind, AuditHealth, AuditStats, HealthStatus } from './types';

/** What the pipeline itself counts; the stages count the rest. */
export interface PipelineCounts {
  logged: number;
  /** Closed, unprotectable or invalid events (the queue's drops are the delivery loop's). */
  dropped: number;
  repaired: number;
  callbackErrors: number;
}

/** `stats()`: the pipeline's and every stage's counters, in one object. */
export function pipelineStats(
  own: PipelineCounts,
  admit: Admission,
  loop: Pick<DeliveryLoop, 'counts' | 'stats'>,
  rest: Pick<AuditStats, 'integrity' | 'hold' | 'detection' | 'alerts'>,
): AuditStats {
  const admitted = admit.counts;
  const delivered = loop.counts;
  return {
    logged: own.logged,
    queued: delivered.queued,
    filtered: admitted.filtered,
    sampledOut: admitted.sampledOut,
    deduplicated: admitted.deduplicated,
    dropped: own.dropped + delivered.dropped,
    repaired: own.repaired,
    callbackErrors: own.callbackErrors,
    ...loop.stats(),
    ...admit.stats(),
    ...rest,
  };
}

/** `health()`: the sinks' state, then whatever else makes the logger degraded, read from its stats. */
export function pipelineHealth(
  stats: AuditStats,
  retryAttempts: number,
  queueFull: boolean,
  detectReasons: readonly string[] | undefined,
): AuditHealth {
  const sinks = sinkHealth(stats.sinks, retryAttempts);
  const reasons = sinks.reasons;
  let status: HealthStatus = sinks.status;
  if (stats.dropped > 0) reasons.push(`${stats.dropped} events dropped`);
  if (queueFull) reasons.push('queue is full');
  if (stats.callbackErrors > 0) reasons.push(`${stats.callbackErrors} callback errors`);
  if (stats.hold && stats.hold.expired + stats.hold.lost > 0)
    reasons.push(
      `${stats.hold.expired + stats.hold.lost} held responses were released before their audit events were stored`,
    );
  if (detectReasons) reasons.push(...detectReasons);
  if (status === 'ok' && reasons.length > 0) status = 'degraded';
  return { status, reasons, stats };
}

/** Tells the user once per interval per kind; `onError` hears every occurrence. */
export class Warnings {
  readonly #onError: ((error: AuditError) => void) | undefined;
  readonly #lastWarned = new Map<AuditErrorKind, number>();

  constructor(onError: ((error: AuditError) => void) | undefined) {
    this.#onError = onError;
  }

  report(error: AuditError): void {
    if (this.#onError) {
      try {
        this.#onError(error);
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
