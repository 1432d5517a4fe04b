import { types } from 'node:util';
import type { ResolvedOptions } from '../options';
import type { ResumeSources } from '../seal/resume-chain';
import type { AuditError, AuditSink, SinkStats } from '../types';
import type { EventBatch } from './batch';
import { SinkRunner } from './delivery';
import { buildLane, openLanes } from './lanes';
import { SLOW_WRITE_MS } from './sink-health';
import type { SinkLane } from './sink-lane';
import { openSinks } from './sink-open';
import type { Spill } from './spool/spill';

type Report = (error: AuditError) => void;

/** Where a sealed batch went: `kept` by a primary sink or its spool, `stored` by every sink or spool. */
export interface Stored {
  kept: boolean;
  stored: boolean;
}

const storedIf = (kept: boolean): Stored => ({ kept, stored: kept });

/**
 * The sinks behind the delivery loop: one runner (retries, counters) and one lane (breaker,
 * spool) per sink, opened once at start. `store()` takes a sealed batch to all of them.
 */
export class SinkSet {
  readonly #o: ResolvedOptions;
  readonly #report: Report;
  readonly #runners: SinkRunner[];
  /** One per sink, built once the spools are open. */
  #lanes: SinkLane[] = [];
  /** Opening the spools; delivery and durable appends wait for it. */
  #ready: Promise<void> | undefined;
  /** Sinks' startup checks; resolves with the sinks that cannot write. */
  readonly #opened: Promise<Set<AuditSink>>;
  /**
   * Batches the delivery loop may have in flight at once: what every sink allows (`writesInFlight`,
   * for sinks that commit in order), and one with a spool, whose lanes keep the order themselves.
   */
  readonly writesInFlight: number;

  /** `onSpill` hears of the queue's overflow spool once it is open, before any lane is used. */
  constructor(o: ResolvedOptions, report: Report, onSpill: (spill: Spill) => void) {
    this.#o = o;
    this.#report = report;
    this.writesInFlight =
      o.spool || o.durable || o.sinks.length === 0
        ? 1
        : Math.min(...o.sinks.map((s) => s.writesInFlight ?? 1));
    this.#runners = o.sinks.map(
      (sink) =>
        new SinkRunner(sink, o.retry, (runner, error, final) =>
          report({
            kind: 'sink',
            sink: runner.sink.name,
            cause: error,
            message: `sink "${runner.sink.name}" write failed${final ? ' after all retries' : ', retrying'}: ${
              error instanceof Error ? error.message : String(error)
            }`,
          }),
        ),
    );
    this.#opened = openSinks(o.sinks, o.retry.timeoutMs, (sink, error) => {
      const runner = this.#runners.find((r) => r.sink === sink)!;
      runner.stats.lastError =
        error instanceof Error || types.isNativeError(error) ? error.message : String(error);
      runner.stats.lastErrorAt = new Date().toISOString();
      runner.stats.consecutiveFailures++;
      report({
        kind: 'sink',
        sink: sink.name,
        cause: error,
        message: `sink "${sink.name}" cannot write: ${runner.stats.lastError}`,
      });
    });
    // Opened first: durable mode resumes its chain from what the spools hold.
    if (o.spool) this.#ready = this.#openSpools(o.spool, onSpill).finally(() => (this.#ready = undefined));
    else this.#lanes = this.#runners.map((r) => buildLane(o, r, undefined, report));
  }

  /** Pending while the spools open; undefined once they are (or when there are none). */
  get ready(): Promise<void> | undefined {
    return this.#ready;
  }

  /** Opens the spools and lanes; overflow a previous process left on disk is delivered first. */
  async #openSpools(
    spool: NonNullable<ResolvedOptions['spool']>,
    onSpill: (spill: Spill) => void,
  ): Promise<void> {
    const { lanes, spill } = await openLanes(this.#o, spool, this.#runners, this.#report);
    if (spill) onSpill(spill);
    this.#lanes = lanes;
  }

  /** What chain resumption reads: the durable spools' newest record, or a sink's last sealed event. */
  resumeSources(): ResumeSources {
    return {
      durable: this.#o.durable,
      sinks: this.#o.sinks,
      ready: () => this.#ready,
      lanes: () => this.#lanes,
      opened: this.#opened,
      report: this.#report,
    };
  }

  /**
   * Takes a sealed batch to every sink. Durable mode: one record per spool (one fsync each), the
   * sinks fed from there; `stored` is what `logDurable()` and held responses wait for.
   */
  store(batch: EventBatch): Promise<Stored> {
    if (!this.#o.durable) return this.#deliver(batch).then(storedIf);
    return this.#storeDurable(batch);
  }

  async #storeDurable(batch: EventBatch): Promise<Stored> {
    const payload = batch.bytes();
    const n = batch.size;
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
    return { kept: this.#kept(taken), stored: taken.every(Boolean) };
  }

  /** Resolves whether the batch is kept: taken by a primary sink or its spool (any sink when none is primary). */
  #deliver(batch: EventBatch): Promise<boolean> {
    const lanes = this.#lanes;
    // One sink (the common case): its answer is the batch's, without gathering answers.
    if (lanes.length === 1) return lanes[0]!.deliver(batch);
    return Promise.all(lanes.map((l) => l.deliver(batch))).then((taken) => this.#kept(taken));
  }

  #kept(taken: readonly boolean[]): boolean {
    const primaries = this.#lanes.some((l) => l.primary);
    return this.#lanes.length === 0 || this.#lanes.some((l, i) => taken[i] && (l.primary || !primaries));
  }

  /**
   * Waits for a batch's delivery or, when every sink has a spool, at most SLOW_WRITE_MS: a sink that
   * has not answered by then gets the next batches in its spool, so a hung sink never holds the
   * queue in memory, while a healthy one (even under load) keeps the direct path.
   */
  handOff(delivery: Promise<void>): Promise<void> {
    if (!this.#lanes.every((l) => l.spool)) return delivery;
    return this.#handOffSpooled(delivery);
  }

  async #handOffSpooled(delivery: Promise<void>): Promise<void> {
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

  /** Resolves when no lane can replay anything now: spools empty, or their sinks down. */
  async idle(): Promise<void> {
    await Promise.all(this.#lanes.map((l) => l.idle()));
  }

  /** The sinks' own `flush()`, each bounded by the write timeout. */
  async flush(): Promise<void> {
    await Promise.all(this.#runners.map((r) => this.#safeSinkCall(r, 'flush')));
  }

  /** Stops replay (what a down sink did not take stays in its spool), then closes the sinks. */
  async close(spill: Spill | undefined): Promise<void> {
    await Promise.all(this.#lanes.map((l) => l.stop()));
    await spill?.close();
    await Promise.all(this.#runners.map((r) => this.#safeSinkCall(r, 'close')));
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

  /**
   * Process exit: every lane takes the batch synchronously (durable mode: into its spool, after
   * the spools' pending appends). Returns whether it is kept.
   */
  drainSync(batch: EventBatch): boolean {
    const durable = this.#o.durable;
    if (durable) for (const l of this.#lanes) l.spool?.flushSync();
    if (batch.size === 0) return true;
    const taken = this.#lanes.map((l) => (durable && l.spool ? l.spoolSync(batch) : l.deliverSync(batch)));
    return this.#kept(taken) && this.#lanes.length > 0;
  }

  stats(): SinkStats[] {
    return this.#runners.map((r, i) => this.#lanes[i]?.stats() ?? { ...r.stats });
  }
}
