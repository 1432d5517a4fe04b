/** stats() adds up: logged = filtered + sampledOut + deduplicated + dropped + queued, per sink too. */
import { memorySink } from '../src';
import { expectBalanced, fastRetry, scriptedSink, testLogger } from './helpers';

describe('stats() accounting', () => {
  it('balances on a run where everything is delivered', async () => {
    const { logger, sink } = testLogger();
    for (let i = 0; i < 250; i++) logger.log({ type: 'order.updated', details: { i } });
    await logger.close();
    expect(logger.stats()).toMatchObject({ logged: 250, queued: 250, dropped: 0 });
    expect(logger.stats().sinks[0]).toMatchObject({
      queued: sink.events.length,
      delivered: sink.events.length,
    });
    expectBalanced(logger.stats());
  });

  it('balances with filtering, sampling and dedup', async () => {
    const { logger } = testLogger({
      minSeverity: 'info',
      sample: { rate: 0.5 },
      dedup: { windowMs: 60_000 },
    });
    for (let i = 0; i < 200; i++) {
      logger.log({ type: 'debug.noise', severity: 'debug' });
      logger.log({ type: 'page.viewed', category: 'api', details: { page: i % 7 } });
      logger.log({ type: 'cache.hit', category: 'api' });
    }
    await logger.close();
    const s = logger.stats();
    expect(s.filtered).toBe(200);
    expect(s.sampledOut).toBeGreaterThan(0);
    expect(s.deduplicated).toBeGreaterThan(0);
    expectBalanced(s);
  });

  it('balances when the queue is full and events are dropped, and after close', async () => {
    const { logger } = testLogger({ queue: { maxEvents: 20 } });
    for (let i = 0; i < 100; i++) logger.log({ type: 'burst', details: { i } });
    await logger.close();
    logger.log({ type: 'too.late' });
    const s = logger.stats();
    expect(s.dropped).toBe(81);
    expect(s.queued).toBe(20);
    expectBalanced(s);
  });

  it('counts a batch no primary sink took as dropped; a best-effort failure is only the sink’s', async () => {
    const broken = scriptedSink('store', () => {
      throw new Error('refused');
    });
    const side = scriptedSink('webhook', () => {
      throw new Error('refused');
    });
    const kept = memorySink({ name: 'kept' });
    const onlyBroken = testLogger({ sinks: [broken], retry: fastRetry, onError: () => {} }).logger;
    for (let i = 0; i < 30; i++) onlyBroken.log({ type: 'lost', details: { i } });
    await onlyBroken.close();
    expect(onlyBroken.stats()).toMatchObject({ logged: 30, queued: 0, dropped: 30 });
    expect(onlyBroken.stats().sinks[0]).toMatchObject({ queued: 30, failed: 30 });
    expectBalanced(onlyBroken.stats());

    const withPrimary = testLogger({
      sinks: [kept, { sink: side, primary: false }],
      retry: fastRetry,
      onError: () => {},
    }).logger;
    for (let i = 0; i < 30; i++) withPrimary.log({ type: 'kept', details: { i } });
    await withPrimary.close();
    expect(withPrimary.stats()).toMatchObject({ logged: 30, queued: 30, dropped: 0 });
    expect(withPrimary.stats().sinks[1]).toMatchObject({ queued: 30, failed: 30 });
    expectBalanced(withPrimary.stats());
  });
});
