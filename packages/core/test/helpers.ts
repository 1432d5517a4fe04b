import {
  type AuditLoggerOptions,
  type AuditSink,
  type AuditStats,
  type Batch,
  createAuditLogger,
  memorySink,
} from '../src';

/** A logger into a memory sink with fast batching and no process hooks. */
export function testLogger(options: AuditLoggerOptions = {}) {
  const sink = memorySink();
  const logger = createAuditLogger({
    service: 'svc',
    version: '1.2.3',
    instance: 'test-1',
    flushOnExit: false,
    batch: { maxWaitMs: 1 },
    sinks: [sink],
    ...options,
  });
  return { logger, sink };
}

/** A durable-mode logger spooling under `spoolDir`, delivering into a memory sink, no process hooks. */
export function durableLogger(spoolDir: string, options: AuditLoggerOptions = {}) {
  const sink = memorySink();
  const logger = createAuditLogger({
    service: 'd',
    flushOnExit: false,
    durable: true,
    sinks: [sink],
    spool: { dir: spoolDir },
    ...options,
  });
  return { logger, sink };
}

/** A sink whose behaviour each test scripts: fail N times, hang, or record. */
export function scriptedSink(name: string, behaviour: (batch: Batch, call: number) => Promise<void> | void) {
  const received: Batch[] = [];
  let calls = 0;
  const sink: AuditSink & { received: Batch[]; readonly calls: number } = {
    name,
    received,
    get calls() {
      return calls;
    },
    write: (batch) => {
      calls++;
      const result = behaviour(batch, calls);
      return Promise.resolve(result).then(() => {
        received.push(batch);
      });
    },
    close: async () => {},
  };
  return sink;
}

export const fastRetry = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2, timeoutMs: 200 };

/**
 * The accounting identities of `stats()`: every logged event in exactly one bucket, and for each
 * primary sink every event handed to it delivered, failed, spooled or in flight.
 */
export function expectBalanced(stats: AuditStats): void {
  const { logged, filtered, sampledOut, deduplicated, dropped, queued } = stats;
  expect({ logged, accounted: filtered + sampledOut + deduplicated + dropped + queued }).toEqual({
    logged,
    accounted: logged,
  });
  for (const s of stats.sinks.filter((x) => x.primary !== false)) {
    expect({ sink: s.name, queued: s.queued }).toEqual({
      sink: s.name,
      queued: s.delivered + s.failed + (s.spooled ?? 0) + (s.inFlight ?? 0),
    });
  }
}
