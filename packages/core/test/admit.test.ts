import { testLogger } from './helpers';

describe('admit', () => {
  it('drops events below minSeverity and excluded types, counted as filtered', async () => {
    const { logger, sink } = testLogger({
      minSeverity: 'notice',
      excludeTypes: ['debug.*', /^noise\./, 'heartbeat'],
    });
    logger.log({ type: 'a', severity: 'info' });
    logger.log({ type: 'b', severity: 'notice' });
    logger.log({ type: 'debug.cache', severity: 'error' });
    logger.log({ type: 'debug.cache.deep', severity: 'error' });
    logger.log({ type: 'noise.x', severity: 'error' });
    logger.log({ type: 'heartbeat', severity: 'error' });
    await logger.close();
    expect(sink.events.map((e) => e.type)).toEqual(['b', 'debug.cache.deep']);
    expect(logger.stats()).toMatchObject({ logged: 6, queued: 2, filtered: 4 });
  });

  it('samples routine events at the configured rate with an injectable random source', async () => {
    let i = 0;
    // A deterministic sequence evenly spread over [0, 1).
    const random = () => ((i++ * 7919) % 1000) / 1000;
    const { logger, sink } = testLogger({ sample: { rate: 0.25, random } });
    for (let n = 0; n < 4000; n++) logger.log({ type: 'routine' });
    await logger.close();
    expect(sink.events.length).toBe(1000);
    expect(logger.stats().sampledOut).toBe(3000);
  });

  it('keeps failures, security events and slow requests regardless of the rate', async () => {
    const { logger, sink } = testLogger({ sample: { rate: 0, random: () => 0.5 }, slowThresholdMs: 500 });
    logger.log({ type: 'routine' });
    logger.log({ type: 'auth.login', outcome: 'failure' });
    logger.log({ type: 'security.scan', category: 'security' });
    logger.log({ type: 'db.slow', severity: 'warning' });
    logger.log({ type: 'http.request', request: { durationMs: 900 } });
    logger.log({ type: 'http.request', request: { durationMs: 10 } });
    await logger.close();
    expect(sink.events.map((e) => e.type)).toEqual([
      'auth.login',
      'security.scan',
      'db.slow',
      'http.request',
    ]);
  });

  it('can be told not to keep failures', async () => {
    const { logger, sink } = testLogger({ sample: { rate: 0, keepFailures: false, keepSecurity: false } });
    logger.log({ type: 'auth.login', outcome: 'failure' });
    await logger.close();
    expect(sink.events).toHaveLength(0);
  });

  it('accepts a sampling function, and a throwing one keeps the event', async () => {
    const { logger, sink } = testLogger({
      sample: (e) => {
        if (e.type === 'explode') throw new Error('sampler bug');
        return e.type !== 'skip';
      },
      onError: () => {},
    });
    logger.log({ type: 'skip' });
    logger.log({ type: 'keep' });
    logger.log({ type: 'explode' });
    await logger.close();
    expect(sink.events.map((e) => e.type)).toEqual(['keep', 'explode']);
    expect(logger.stats().callbackErrors).toBe(1);
  });

  it('rejects invalid options at construction with a clear error', () => {
    expect(() => testLogger({ sample: { rate: 2 } })).toThrow(/sample.rate/);
    expect(() => testLogger({ minSeverity: 'loud' as never })).toThrow(/minSeverity/);
    expect(() => testLogger({ queue: { overflow: 'spill' as never } })).toThrow(/overflow/);
    expect(() => testLogger({ sinks: [{} as never] })).toThrow(/sink/);
  });
});
