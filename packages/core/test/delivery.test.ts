import { AsyncLocalStorage } from 'node:async_hooks';
import { type AuditError, createAuditLogger, memorySink } from '../src';
import { fastRetry, scriptedSink, testLogger } from './helpers';

const quiet = () => {};

describe('batching and delivery', () => {
  it('batches by size', async () => {
    const { logger, sink } = testLogger({ batch: { maxEvents: 100, maxWaitMs: 10_000 } });
    for (let i = 0; i < 1000; i++) logger.log({ type: 't', details: { i } });
    await logger.flush();
    expect(sink.events).toHaveLength(1000);
    expect(sink.batches).toBe(10);
    expect(sink.events.map((e) => e.details!.i)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    await logger.close();
  });

  it('delivers a partial batch after maxWaitMs without a flush', async () => {
    const { logger, sink } = testLogger({ batch: { maxEvents: 1000, maxWaitMs: 20 } });
    logger.log({ type: 't' });
    expect(sink.events).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 80));
    expect(sink.events).toHaveLength(1);
    await logger.close();
  });

  it('writes to sinks outside the async context of the request that logged, by timer and by size', async () => {
    // An app's own context (a request's store, its trace) must not follow its event into the sinks.
    const app = new AsyncLocalStorage<{ request: number }>();
    const seen: unknown[] = [];
    const sink = scriptedSink('ctx', () => {
      seen.push(app.getStore());
    });
    const logger = createAuditLogger({
      service: 's',
      flushOnExit: false,
      sinks: [sink],
      batch: { maxEvents: 2, maxWaitMs: 5 },
    });
    app.run({ request: 1 }, () => logger.log({ type: 'by-timer' }));
    await new Promise((r) => setTimeout(r, 40));
    app.run({ request: 2 }, () => {
      logger.log({ type: 'by-size' });
      logger.log({ type: 'by-size' });
    });
    await app.run({ request: 3 }, () => logger.flush());
    expect(sink.received.map((b) => b.events.map((e) => e.type))).toEqual([
      ['by-timer'],
      ['by-size', 'by-size'],
    ]);
    expect(seen).toEqual([undefined, undefined]);
    await logger.close();
  });

  it('gives every sink the same batch, encoded as JSON Lines', async () => {
    const a = scriptedSink('a', () => {});
    const b = scriptedSink('b', () => {});
    const logger = createAuditLogger({ service: 's', flushOnExit: false, sinks: [a, b] });
    logger.log({ type: 'one' });
    logger.log({ type: 'two' });
    await logger.close();
    expect(a.received).toHaveLength(1);
    expect(b.received[0]).toBe(a.received[0]);
    const lines = a.received[0]!.jsonl().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.slice(0, 2).map((l) => JSON.parse(l))).toEqual(a.received[0]!.events);
  });

  it('retries a failing sink with backoff and succeeds', async () => {
    const errors: AuditError[] = [];
    const flaky = scriptedSink('flaky', (_b, call) => {
      if (call < 3) throw new Error(`down ${call}`);
    });
    const logger = createAuditLogger({
      service: 's',
      flushOnExit: false,
      sinks: [flaky],
      retry: fastRetry,
      onError: (e) => errors.push(e),
    });
    logger.log({ type: 't' });
    await logger.close();
    expect(flaky.calls).toBe(3);
    expect(flaky.received).toHaveLength(1);
    expect(errors.map((e) => e.kind)).toEqual(['sink', 'sink']);
    expect(logger.stats().sinks[0]).toMatchObject({
      delivered: 1,
      failed: 0,
      retries: 2,
      consecutiveFailures: 0,
    });
    expect(logger.health().status).toBe('ok');
  });

  it('counts a batch as failed after all attempts, reports it, and keeps other sinks going', async () => {
    const dead = scriptedSink('dead', () => {
      throw new Error('disk on fire');
    });
    const ok = memorySink({ name: 'ok' });
    const logger = createAuditLogger({
      service: 's',
      flushOnExit: false,
      sinks: [dead, ok],
      retry: fastRetry,
      onError: quiet,
    });
    for (let i = 0; i < 5; i++) logger.log({ type: 't' });
    await logger.close();
    expect(ok.events).toHaveLength(5);
    const stats = logger.stats();
    expect(stats.sinks.find((s) => s.name === 'dead')).toMatchObject({
      delivered: 0,
      failed: 5,
      lastError: 'disk on fire',
    });
    const health = logger.health();
    expect(health.status).toBe('failing');
    expect(health.reasons.join()).toMatch(/dead.*disk on fire/);
  });

  it('does not retry an error the sink marks as not retryable', async () => {
    let calls = 0;
    const rejecting = scriptedSink('rejecting', () => {
      calls++;
      throw Object.assign(new Error('document rejected: mapping conflict'), { retryable: false });
    });
    const errors: AuditError[] = [];
    const logger = createAuditLogger({
      service: 's',
      flushOnExit: false,
      sinks: [rejecting],
      retry: { ...fastRetry, attempts: 5 },
      onError: (e) => errors.push(e),
    });
    logger.log({ type: 't' });
    await logger.close();
    expect(calls).toBe(1);
    expect(logger.stats().sinks[0]).toMatchObject({ failed: 1, retries: 0 });
    expect(errors.map((e) => e.message).join()).toMatch(/after all retries.*mapping conflict/);
  });

  it('times out a hanging sink instead of waiting forever', async () => {
    const hanging = scriptedSink('hang', () => new Promise<void>(() => {}));
    const logger = createAuditLogger({
      service: 's',
      flushOnExit: false,
      sinks: [hanging],
      retry: { ...fastRetry, attempts: 2, timeoutMs: 30 },
      onError: quiet,
    });
    logger.log({ type: 't' });
    await logger.close();
    expect(hanging.calls).toBe(2);
    expect(logger.stats().sinks[0]!.lastError).toMatch(/did not finish a write within 30 ms/);
  });

  it('a sink that throws synchronously is handled like a rejection', async () => {
    const thrower = {
      name: 'sync',
      write: () => {
        throw new Error('sync boom');
      },
      close: async () => {},
    };
    const logger = createAuditLogger({
      service: 's',
      flushOnExit: false,
      sinks: [thrower],
      retry: fastRetry,
      onError: quiet,
    });
    expect(() => logger.log({ type: 't' })).not.toThrow();
    await logger.close();
    expect(logger.stats().sinks[0]).toMatchObject({ failed: 1, lastError: 'sync boom' });
  });
});

describe('bounded queue', () => {
  it('drops and counts events beyond maxEvents when a sink stalls (overflow: drop)', async () => {
    let release!: () => void;
    const stalled = scriptedSink(
      'stalled',
      () =>
        new Promise<void>((r) => {
          release = r;
        }),
    );
    const errors: AuditError[] = [];
    const logger = createAuditLogger({
      service: 's',
      flushOnExit: false,
      sinks: [stalled],
      queue: { maxEvents: 100 },
      batch: { maxEvents: 10, maxWaitMs: 0 },
      retry: { timeoutMs: 0 },
      onError: (e) => errors.push(e),
    });
    logger.log({ type: 'first' });
    await new Promise((r) => setTimeout(r, 10)); // first batch is now in the stalled sink
    for (let i = 0; i < 500; i++) logger.log({ type: 't' });
    const stats = logger.stats();
    expect(stats.queue.events).toBe(100);
    expect(stats.dropped).toBe(400);
    expect(errors.filter((e) => e.kind === 'dropped')).toHaveLength(400);
    expect(logger.health().status).toBe('degraded');
    release();
    const closing = logger.close();
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 1)).then(() => release());
    await closing;
    const received = stalled.received.reduce((n, b) => n + b.events.length, 0);
    expect(received).toBe(101);
    expect(received + logger.stats().dropped).toBe(logger.stats().logged);
  });

  it('bounds the queue by bytes', async () => {
    const stalled = scriptedSink('stalled', () => new Promise<void>(() => {}));
    const logger = createAuditLogger({
      service: 's',
      flushOnExit: false,
      sinks: [stalled],
      queue: { maxBytes: 64 * 1024 },
      retry: { timeoutMs: 0 },
      onError: quiet,
    });
    for (let i = 0; i < 1000; i++) logger.log({ type: 't', details: { blob: 'x'.repeat(1000) } });
    const { queue, dropped } = logger.stats();
    expect(queue.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(dropped).toBeGreaterThan(900);
  });

  it('never drops under overflow: block and signals congestion until there is room', async () => {
    const releases: Array<() => void> = [];
    const slow = scriptedSink('slow', () => new Promise<void>((r) => releases.push(r)));
    const logger = createAuditLogger({
      service: 's',
      flushOnExit: false,
      sinks: [slow],
      queue: { maxEvents: 10, overflow: 'block' },
      batch: { maxEvents: 5, maxWaitMs: 0 },
      retry: { timeoutMs: 0 },
    });
    for (let i = 0; i < 30; i++) logger.log({ type: 't' });
    expect(logger.stats().dropped).toBe(0);
    expect(logger.congested).toBe(true);
    let writable = false;
    const waiting = logger.whenWritable().then(() => {
      writable = true;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(writable).toBe(false);
    const pump = setInterval(() => releases.shift()?.(), 1);
    await waiting;
    expect(logger.congested).toBe(false);
    await logger.close();
    clearInterval(pump);
    expect(slow.received.reduce((n, b) => n + b.events.length, 0)).toBe(30);
  });
});

describe('flush, close, stats', () => {
  it('close() loses nothing: count in equals count out', async () => {
    const { logger, sink } = testLogger({ batch: { maxEvents: 64, maxWaitMs: 1000 } });
    const n = 12_345;
    for (let i = 0; i < n; i++) logger.log({ type: 't', details: { i } });
    await logger.close();
    expect(sink.events).toHaveLength(n);
    expect(new Set(sink.events.map((e) => e.id)).size).toBe(n);
    expect(logger.stats()).toMatchObject({
      logged: n,
      queued: n,
      dropped: 0,
      queue: { events: 0, bytes: 0 },
    });
    expect(logger.stats().sinks[0]!.delivered).toBe(n);
  });

  it('flush() waits for events logged before it, including ones in flight', async () => {
    const releases: Array<() => void> = [];
    const slow = scriptedSink('slow', () => new Promise<void>((r) => releases.push(r)));
    const logger = createAuditLogger({
      service: 's',
      flushOnExit: false,
      sinks: [slow],
      batch: { maxEvents: 1, maxWaitMs: 0 },
    });
    logger.log({ type: 'a' });
    logger.log({ type: 'b' });
    let flushed = false;
    const f = logger.flush().then(() => {
      flushed = true;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(flushed).toBe(false);
    releases.shift()!();
    await new Promise((r) => setTimeout(r, 5));
    expect(flushed).toBe(false);
    releases.shift()!();
    await f;
    expect(slow.received.map((b) => b.events[0]!.type)).toEqual(['a', 'b']);
    await logger.close();
  });

  it('close() is idempotent, closes sinks, and counts events logged afterwards as dropped', async () => {
    let closed = 0;
    const sink = { ...memorySink(), close: async () => void closed++ };
    const errors: AuditError[] = [];
    const logger = createAuditLogger({
      service: 's',
      flushOnExit: false,
      sinks: [sink],
      onError: (e) => errors.push(e),
    });
    logger.log({ type: 'before' });
    await Promise.all([logger.close(), logger.close()]);
    await logger.close();
    expect(closed).toBe(1);
    expect(logger.log({ type: 'after' })).toBeUndefined();
    expect(logger.stats().dropped).toBe(1);
    expect(errors[0]).toMatchObject({ kind: 'closed' });
  });

  it('a throwing onError never reaches the caller', async () => {
    const logger = createAuditLogger({
      service: 's',
      flushOnExit: false,
      sinks: [memorySink()],
      onError: () => {
        throw new Error('bad handler');
      },
    });
    await logger.close();
    expect(() => logger.log({ type: 'late' })).not.toThrow();
  });
});
