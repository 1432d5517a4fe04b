import type { AuditEvent, AuditInput } from '../types';
import type { BoundRule, ResolvedDetect } from './resolve';
import { ANOMALY_TYPE } from './rules/support';
import type { Anomaly, DetectionStats, DetectionStore, StateOp, StateResult } from './types';

/** What the detect stage needs from the pipeline it sits in. */
export interface StageHost {
  /** Records an event through the whole pipeline (sealed like any other), without request context. */
  emit(input: AuditInput): string | undefined;
  /** Reports a problem through the logger's `onError` / warnings. */
  report(kind: 'detect' | 'alert', message: string, cause?: unknown): void;
}

interface Observation {
  bound: BoundRule;
  event: AuditEvent;
  ops: StateOp[];
  now: number;
}

interface Found {
  bound: BoundRule;
  event: AuditEvent;
  anomaly: Anomaly;
  now: number;
}

/** Observations sent to an asynchronous store in one go. */
const BATCH = 500;

/** True for the events detection and alerting write themselves: they never trigger a rule. */
export function isOwnEvent(e: AuditEvent): boolean {
  return e.type === ANOMALY_TYPE || e.type.startsWith('alert.');
}

/**
 * Runs the rules. With a synchronous store (memory) an event is decided on the caller's stack and
 * the anomaly is logged on the next microtask, after the event that caused it. With any other store
 * observations wait in a bounded list and go to the store in batches, off the hot path.
 */
export class DetectionEngine {
  readonly #rules: BoundRule[];
  readonly #tenants: Map<string, BoundRule[]>;
  readonly #store: DetectionStore;
  readonly #sync: boolean;
  readonly #now: () => number;
  readonly #maxPending: number;
  readonly #host: StageHost;
  #pending: Observation[] = [];
  #outbox: AuditInput[] = [];
  #timer: NodeJS.Immediate | undefined;
  #running: Promise<void> | undefined;
  readonly #counters = { observed: 0, fired: 0, suppressed: 0, stateErrors: 0, overflow: 0, ruleErrors: 0 };

  constructor(config: ResolvedDetect, host: StageHost) {
    this.#rules = config.rules;
    this.#tenants = config.tenants;
    this.#store = config.store;
    this.#sync = config.store.sync === true;
    this.#now = config.now;
    this.#maxPending = config.maxPending;
    this.#host = host;
  }

  get idle(): boolean {
    return this.#pending.length === 0 && this.#outbox.length === 0 && !this.#running;
  }

  /** Called for every admitted, protected event. Never throws. */
  observe(e: AuditEvent): void {
    if (isOwnEvent(e)) return;
    const rules = (e.tenant !== undefined && this.#tenants.get(e.tenant)) || this.#rules;
    this.#counters.observed++;
    let now = -1;
    for (let i = 0; i < rules.length; i++) {
      const bound = rules[i]!;
      let ops: StateOp[] | undefined;
      try {
        ops = bound.rule.observe(e, bound.thresholds);
      } catch (error) {
        this.#ruleFailed(bound, error);
        continue;
      }
      if (ops === undefined) continue;
      if (now < 0) now = this.#now();
      if (this.#sync) this.#decideSync(bound, e, ops, now);
      else this.#enqueue({ bound, event: e, ops, now });
    }
  }

  #decideSync(bound: BoundRule, event: AuditEvent, ops: StateOp[], now: number): void {
    try {
      const results = ops.length > 0 ? (this.#store.apply(ops, now) as StateResult[]) : [];
      for (const anomaly of this.#decide(bound, event, results)) {
        const [claimed] = this.#store.apply([this.#claim(bound, event, anomaly)], now) as StateResult[];
        this.#settleClaim({ bound, event, anomaly, now }, claimed === true, true);
      }
    } catch (error) {
      this.#stateFailed(1, error);
    }
  }

  #enqueue(o: Observation): void {
    if (this.#pending.length >= this.#maxPending) {
      this.#counters.overflow++;
      if (this.#counters.overflow === 1 || this.#counters.overflow % 1000 === 0)
        this.#host.report(
          'detect',
          `detection state store "${this.#store.name}" is behind; ${this.#counters.overflow} observations dropped`,
        );
      return;
    }
    this.#pending.push(o);
    if (!this.#timer && !this.#running) this.#timer = setImmediate(() => this.#startRun());
  }

  #startRun(): Promise<void> {
    this.#timer = undefined;
    this.#running ??= this.#runPending().finally(() => {
      this.#running = undefined;
      if (this.#pending.length > 0) this.#timer ??= setImmediate(() => this.#startRun());
    });
    return this.#running;
  }

  async #runPending(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, BATCH);
      let results: StateResult[][];
      try {
        results = await this.#applyGrouped(batch);
      } catch (error) {
        this.#stateFailed(batch.length, error);
        continue;
      }
      const found: Found[] = [];
      for (let i = 0; i < batch.length; i++) {
        const o = batch[i]!;
        for (const anomaly of this.#decide(o.bound, o.event, results[i]!))
          found.push({ bound: o.bound, event: o.event, anomaly, now: o.now });
      }
      if (found.length === 0) continue;
      let claims: StateResult[][];
      try {
        claims = await this.#applyGrouped(
          found.map((f) => ({ ops: [this.#claim(f.bound, f.event, f.anomaly)], now: f.now })),
        );
      } catch (error) {
        this.#stateFailed(found.length, error);
        continue;
      }
      for (let i = 0; i < found.length; i++) this.#settleClaim(found[i]!, claims[i]![0] === true, false);
    }
  }

  /** One `apply` per run of equal clock readings, all in flight together: one round trip for a burst. */
  async #applyGrouped(items: ReadonlyArray<{ ops: StateOp[]; now: number }>): Promise<StateResult[][]> {
    const calls: Array<Promise<StateResult[]> | StateResult[]> = [];
    const runs: Array<{ from: number; to: number }> = [];
    let from = 0;
    while (from < items.length) {
      let to = from + 1;
      while (to < items.length && items[to]!.now === items[from]!.now) to++;
      const ops: StateOp[] = [];
      for (let i = from; i < to; i++) for (const op of items[i]!.ops) ops.push(op);
      calls.push(ops.length > 0 ? this.#store.apply(ops, items[from]!.now) : []);
      runs.push({ from, to });
      from = to;
    }
    const answers = await Promise.all(calls);
    const out: StateResult[][] = new Array(items.length);
    for (let r = 0; r < runs.length; r++) {
      const answer = answers[r]!;
      let offset = 0;
      for (let i = runs[r]!.from; i < runs[r]!.to; i++) {
        const n = items[i]!.ops.length;
        out[i] = answer.slice(offset, offset + n);
        offset += n;
      }
      if (offset !== answer.length)
        throw new Error(`store answered ${answer.length} results for ${offset} operations`);
    }
    return out;
  }

  #decide(bound: BoundRule, event: AuditEvent, results: readonly StateResult[]): readonly Anomaly[] {
    try {
      const found = bound.rule.decide(event, results, bound.thresholds);
      if (found === undefined) return [];
      return Array.isArray(found) ? found : [found as Anomaly];
    } catch (error) {
      this.#ruleFailed(bound, error);
      return [];
    }
  }

  #claim(bound: BoundRule, event: AuditEvent, anomaly: Anomaly): StateOp {
    const s = anomaly.subject;
    return {
      op: 'claim',
      key: `claim|${bound.rule.name}|${event.tenant ?? ''}|${s.type}|${s.id}`,
      ttlMs: bound.cooldownMs,
    };
  }

  #settleClaim(f: Found, claimed: boolean, deferred: boolean): void {
    if (!claimed) {
      this.#counters.suppressed++;
      f.bound.stats.suppressed++;
      return;
    }
    this.#counters.fired++;
    f.bound.stats.fired++;
    const input = anomalyInput(f);
    if (!deferred) {
      this.#host.emit(input);
      return;
    }
    // Logged after the event that caused it has been queued, never in the middle of its log() call.
    this.#outbox.push(input);
    if (this.#outbox.length === 1) queueMicrotask(() => this.#drainOutbox());
  }

  #drainOutbox(): void {
    const inputs = this.#outbox;
    this.#outbox = [];
    for (const input of inputs) this.#host.emit(input);
  }

  #ruleFailed(bound: BoundRule, error: unknown): void {
    this.#counters.ruleErrors++;
    this.#host.report(
      'detect',
      `detection rule "${bound.rule.name}" threw: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  }

  #stateFailed(observations: number, error: unknown): void {
    this.#counters.stateErrors += observations;
    this.#host.report(
      'detect',
      `detection state store "${this.#store.name}" failed; ${observations} observations lost: ${
        error instanceof Error ? error.message : String(error)
      }`,
      error,
    );
  }

  /** Resolves when every observation so far was decided and its anomalies logged. */
  async settle(): Promise<void> {
    while (!this.idle) {
      if (this.#outbox.length > 0) this.#drainOutbox();
      if (this.#timer) {
        clearImmediate(this.#timer);
        this.#timer = undefined;
      }
      if (this.#pending.length > 0 || this.#running) await (this.#running ?? this.#startRun());
      else await Promise.resolve();
    }
  }

  stats(): DetectionStats {
    const rules: DetectionStats['rules'] = {};
    for (const b of this.#rules) rules[b.rule.name] = { ...b.stats };
    return { ...this.#counters, pending: this.#pending.length, rules };
  }
}

function anomalyInput(f: Found): AuditInput {
  const { bound, event, anomaly } = f;
  const input: AuditInput = {
    type: ANOMALY_TYPE,
    category: 'security',
    action: 'detect',
    outcome: 'success',
    severity: anomaly.severity ?? bound.rule.severity ?? 'warning',
    message: anomaly.message,
    actor: { type: 'system', id: 'auditkit.detect' },
    resource: { type: anomaly.subject.type, id: anomaly.subject.id },
    details: {
      kind: bound.rule.name,
      subject: anomaly.subject,
      evidence: anomaly.evidence,
      triggeredBy: event.id,
    },
  };
  if (event.tenant !== undefined) input.tenant = event.tenant;
  if (event.correlationId !== undefined) input.correlationId = event.correlationId;
  return input;
}
