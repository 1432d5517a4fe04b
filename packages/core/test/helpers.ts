import {
  type AuditInput,
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

/**
 * An event whose JSON is easy to get subtly wrong: UTF-8 beyond the BMP, U+2028, quotes and
 * backslashes, a lone surrogate, control characters, -0, 1e21, 5e-324 and nesting.
 */
export function awkwardInput(i: number): AuditInput {
  return {
    type: 'data.update',
    actor: { type: 'user', id: `u-${i}`, email: `ü${i}@例え.jp` },
    resource: { type: 'doc', id: String(i) },
    message: `line\u2028sep 🎉 "quoted" \\ ${i}`,
    details: {
      i,
      negativeZero: -0,
      big: 1e21,
      tiny: 5e-324,
      nested: { z: [1, { y: null, x: [] }], a: {} },
      loneSurrogate: '\ud800x',
      control: '\u0001\u001f',
    },
    changes: { before: { n: i }, after: { n: i + 1 } },
  };
}
