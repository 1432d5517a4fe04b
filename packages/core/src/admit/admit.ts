import type { Scalars } from '../capture/normalize';
import type { ResolvedOptions } from '../options';
import type { AuditEvent, AuditStats, SamplingRuleStats } from '../types';
import { Deduplicator } from './dedup';
import { keepsAll, type Sampler } from './sampling';
import { severityRank } from './severity';

/** `admit()`'s answer for an event that is not recorded: sampled out, or a repeat dedup holds. */
export const LEFT_OUT: unique symbol = Symbol('left out');

/** A dedup key to hand back to `recorded()`, undefined when dedup does not apply, or LEFT_OUT. */
export type Admitted = number | undefined | typeof LEFT_OUT;

export interface AdmitHooks {
  /** A dedup window's summary, admitted already: it goes on to protect and the queue. */
  summary(event: AuditEvent, bytes: number): void;
  /** A user's sample function threw; the event is kept. */
  callbackFailed(name: string, error: unknown): void;
}

/**
 * The admit stage: minimum severity and excluded types on the scalars (before the event is built,
 * so filtered events cost almost nothing), then sampling and dedup on the finished, redacted event.
 * Counts what it leaves out.
 */
export class Admission {
  readonly #minRank: number;
  readonly #isExcludedType: (type: string) => boolean;
  readonly #sampler: Sampler;
  /** No `sample` option: only an adapter's own sampler can leave an event out. */
  readonly #keepsAll: boolean;
  readonly #dedup: Deduplicator | undefined;
  readonly #hooks: AdmitHooks;
  /** Adapters' own `sample` options seen in `admit()`, reported in stats. */
  readonly #requestSamplers = new Set<Sampler>();
  readonly #counts = { filtered: 0, sampledOut: 0, deduplicated: 0 };

  constructor(
    o: Pick<ResolvedOptions, 'minRank' | 'isExcludedType' | 'sampler' | 'dedup'>,
    hooks: AdmitHooks,
  ) {
    this.#minRank = o.minRank;
    this.#isExcludedType = o.isExcludedType;
    this.#sampler = o.sampler;
    this.#keepsAll = keepsAll(o.sampler);
    this.#hooks = hooks;
    if (o.dedup)
      this.#dedup = new Deduplicator(o.dedup, (e, bytes) => {
        // The summary is the window's first repeat, counted as deduplicated until now.
        this.#counts.deduplicated--;
        hooks.summary(e, bytes);
      });
  }

  /** Severity and type checks; false (counted as filtered) when the event is not recorded. */
  passes(scalars: Scalars): boolean {
    if (
      (this.#minRank > 0 && severityRank(scalars.severity) < this.#minRank) ||
      this.#isExcludedType(scalars.type)
    ) {
      this.#counts.filtered++;
      return false;
    }
    return true;
  }

  /**
   * Sampling (the adapter's `sampler`, then the logger's), then dedup. Before encryption, which
   * would make equal fields differ and cost time on events that are left out anyway.
   */
  admit(event: AuditEvent, bytes: number, sampler: Sampler | undefined): Admitted {
    // Without sampling rules on either side there is nothing to decide (and nothing to count).
    const decides = !this.#keepsAll || (sampler !== undefined && !keepsAll(sampler));
    if (decides && !this.#sampled(event, sampler)) return LEFT_OUT;
    if (this.#dedup === undefined) return undefined;
    const key = this.#dedup.keyOf(event);
    if (key !== undefined && this.#dedup.repeat(key, event, bytes)) {
      this.#counts.deduplicated++;
      return LEFT_OUT;
    }
    return key;
  }

  /** The event admitted with `key` was queued: it opens a dedup window. */
  recorded(key: number, event: AuditEvent): void {
    this.#dedup!.remember(key, event);
  }

  /** A throwing sample function keeps the event. */
  #sampled(event: AuditEvent, sampler: Sampler | undefined): boolean {
    let keep: boolean;
    try {
      if (sampler) this.#requestSamplers.add(sampler);
      keep = (sampler === undefined || sampler.keep(event)) && this.#sampler.keep(event);
    } catch (error) {
      this.#hooks.callbackFailed('sample', error);
      keep = true;
    }
    if (!keep) this.#counts.sampledOut++;
    return keep;
  }

  /** Dedup windows holding repeats no summary has reported yet. */
  get pending(): number {
    return this.#dedup?.pending ?? 0;
  }

  /** Records a summary for every window with repeats. */
  flush(): void {
    this.#dedup?.flush();
  }

  /** Records what is pending and forgets every window. */
  close(): void {
    this.#dedup?.close();
  }

  get counts(): Readonly<{ filtered: number; sampledOut: number; deduplicated: number }> {
    return this.#counts;
  }

  /** Per-rule sampling counts and dedup windows, when either is in use. */
  stats(): Pick<AuditStats, 'sampling' | 'dedup'> {
    const out: Pick<AuditStats, 'sampling' | 'dedup'> = {};
    const rules: SamplingRuleStats[] = [];
    for (const r of this.#sampler.stats() ?? []) rules.push({ ...r, scope: 'logger' });
    for (const sampler of this.#requestSamplers)
      for (const r of sampler.stats() ?? []) rules.push({ ...r, scope: 'request' });
    if (rules.length > 0) out.sampling = { rules };
    if (this.#dedup) out.dedup = this.#dedup.stats;
    return out;
  }
}
