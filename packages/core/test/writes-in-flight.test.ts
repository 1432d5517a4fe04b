/**
 * A sink that commits in order (`writesInFlight`) gets the next batch while one is written, with
 * the write ahead to commit after; a failure ahead rolls back the write behind it, and both are
 * tried again in order. Every other sink, and any sink beside one that writes one at a time, still
 * gets one write at a time.
 */
import { createAuditLogger, type memorySink } from '../src/index';
import type { AuditSink, Batch, WriteOrder } from '../src/types';

/**
 * A sink with the contract's semantics: a write's batch "commits" (joins `committed`) only after
 * the write ahead of it did, and not at all when that one failed. `refuse` fails a write on its
 * own; `hold` keeps a write going until the next one has started, so the two overlap for sure.
 */
function inOrderSink(
  writesInFlight: number,
  options: { refuse?: (batch: Batch) => boolean; hold?: (batch: Batch) => boolean } = {},
) {
  const committed: number[] = [];
  const seen = { writes: 0, behind: 0, rolledBack: 0, mostInFlight: 0 };
  let inFlight = 0;
  const started: Array<() => void> = [];
  const sink: AuditSink = {
    name: 'in-order',
    writesInFlight,
    async write(batch: Batch, order?: WriteOrder) {
      seen.writes++;
      if (order) seen.behind++;
      seen.mostInFlight = Math.max(seen.mostInFlight, ++inFlight);
      for (const wake of started.splice(0)) wake();
      try {
        if (options.hold?.(batch)) await new Promise<void>((resolve) => started.push(resolve));
        await new Promise((r) => setTimeout(r, 1)); // the rows go in
        if (options.refuse?.(batch)) throw new Error('refused');
        if (order)
          await order.after.catch((error: unknown) => {
            seen.rolledBack++;
            throw error;
          });
        committed.push(...batch.events.map((e) => e.integrity!.seq));
      } finally {
        inFlight--;
      }
    },
    async close() {},
  };
  return { sink, committed, seen };
}

/** Whether `batch` holds the event of chain position `seq`. */
const holds = (batch: Batch, seq: number) => batch.events.some((e) => e.integrity!.seq === seq);

async function logAll(logger: ReturnType<typeof createAuditLogger>, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    logger.log({ type: 'invoice.paid', details: { i } });
    if (i % 25 === 24) await new Promise((r) => setImmediate(r));
  }
  await logger.close();
}

const options = {
  service: 'billing',
  flushOnExit: false,
  batch: { maxEvents: 20, maxWaitMs: 1 },
  retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2, timeoutMs: 5000 },
  onError: () => {},
};

describe('writesInFlight', () => {
  it('hands over the next batch while one is written, never more than declared, committed in order', async () => {
    // The first batch is held until the second has started.
    const { sink, committed, seen } = inOrderSink(2, { hold: (batch) => holds(batch, 0) });
    const logger = createAuditLogger({ ...options, sinks: [sink] });
    await logAll(logger, 1000);
    expect(seen.mostInFlight).toBe(2);
    expect(seen.behind).toBeGreaterThan(0);
    expect(committed).toEqual(Array.from({ length: committed.length }, (_, i) => i));
    expect(logger.stats().sinks[0]).toMatchObject({ delivered: committed.length, failed: 0, retries: 0 });
  });

  it('rolls back the write behind a failed one and tries both again, in order', async () => {
    // The batch holding seq 300 fails twice on its own, the first time once the next batch is in.
    let refusals = 2;
    const { sink, committed, seen } = inOrderSink(3, {
      hold: (batch) => holds(batch, 300) && refusals === 2,
      refuse: (batch) => holds(batch, 300) && refusals-- > 0,
    });
    const logger = createAuditLogger({ ...options, sinks: [sink] });
    await logAll(logger, 1000);
    expect(seen.mostInFlight).toBeGreaterThan(1);
    expect(committed).toEqual(Array.from({ length: committed.length }, (_, i) => i));
    expect(committed).toHaveLength(1000);
    expect(seen.rolledBack).toBeGreaterThan(0);
    // Two failures of its own were retried; the writes rolled back behind it are not failures.
    expect(logger.stats().sinks[0]).toMatchObject({ delivered: committed.length, failed: 0, retries: 2 });
  });

  it('skips the write rolled back behind a failed probe: the circuit it meets is open again', async () => {
    let down = true;
    let held = false;
    let triesOfSecond = 0;
    const { sink, committed } = inOrderSink(2, {
      // The probe (seq 20..39) is held until the batch behind it has started.
      hold: (batch) => {
        if (held || !holds(batch, 20)) return false;
        held = true;
        return true;
      },
      // The batch behind the probe would be taken on its own: it fails only by rolling back.
      refuse: (batch) => {
        if (holds(batch, 40)) triesOfSecond++;
        return down && !holds(batch, 40);
      },
    });
    const logger = createAuditLogger({
      ...options,
      sinks: [sink],
      breaker: { failureThreshold: 1, cooldownMs: 30 },
    });
    const log = (n: number) => {
      for (let i = 0; i < n; i++) logger.log({ type: 'invoice.paid', details: { i } });
    };
    log(20);
    await logger.flush(); // three failed tries: the circuit opens
    await new Promise((r) => setTimeout(r, 40)); // half-open: the next batch is the probe
    log(40);
    await logger.flush();
    expect(triesOfSecond).toBe(1);
    expect(logger.stats().sinks[0]).toMatchObject({ delivered: 0, failed: 60, skipped: 20, breaker: 'open' });
    down = false;
    await new Promise((r) => setTimeout(r, 40));
    log(20);
    await logger.close();
    expect(committed).toEqual(Array.from({ length: 20 }, (_, i) => 60 + i));
  });

  it('keeps one write at a time beside a sink that does not declare it', async () => {
    const { sink, committed, seen } = inOrderSink(4);
    const plain: ReturnType<typeof memorySink> = (await import('../src/index')).memorySink();
    const logger = createAuditLogger({ ...options, sinks: [sink, plain] });
    await logAll(logger, 300);
    expect(seen).toMatchObject({ mostInFlight: 1, behind: 0, rolledBack: 0 });
    expect(committed).toHaveLength(plain.events.length);
  });

  it('refuses a sink declaring a figure that is not a whole number >= 1', () => {
    const { sink } = inOrderSink(0);
    expect(() => createAuditLogger({ ...options, sinks: [sink] })).toThrow(
      'sink "in-order" declares writesInFlight 0; it must be an integer >= 1',
    );
  });
});
