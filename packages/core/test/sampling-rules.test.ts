import type { AuditInput } from '@auditkit/core';
import { testLogger } from './helpers';

/** 0, 0.01, ..., 0.99, 0, ...: exactly `rate × 100` of every 100 draws fall below `rate`. */
function evenRandom(): () => number {
  let i = 0;
  return () => (i++ % 100) / 100;
}

function request(method: string, route: string, path = route): AuditInput {
  return {
    type: 'http.request',
    category: 'api',
    request: { method, route, path, status: 200, durationMs: 3 },
  };
}

describe('sampling rules', () => {
  it('gives routes, methods, types and categories their own rates; the first matching rule decides', async () => {
    const { logger, sink } = testLogger({
      sample: {
        rate: 0.5,
        random: evenRandom(),
        rules: [
          { name: 'health', match: { route: ['/health', '/ready'] }, rate: 0 },
          { name: 'order reads', match: { route: '/orders/*', method: 'get' }, rate: 0.1 },
          { name: 'order writes', match: { path: '/orders/**' }, rate: 1 },
          { name: 'cache', match: { type: 'cache.*' }, rate: 0.2 },
          { name: 'business', match: { category: ['business', 'compliance'] }, rate: 1 },
        ],
      },
    });
    for (let i = 0; i < 100; i++) {
      logger.log(request('GET', i % 2 ? '/health' : '/ready'));
      logger.log(request('GET', '/orders/:id', `/orders/${i}`));
      logger.log(request('POST', '/orders/:id/lines', `/orders/${i}/lines`));
      logger.log({ type: 'cache.miss', category: 'system' });
      logger.log({ type: 'cache', category: 'system' }); // `cache.*` needs a segment: the global rate
      logger.log({ type: 'invoice.sent', category: 'business' });
    }
    await logger.close();
    const count = (where: (t: string, route?: string, method?: string) => boolean) =>
      sink.events.filter((e) => where(e.type, e.request?.route, e.request?.method)).length;
    expect(count((_t, r) => r === '/health' || r === '/ready')).toBe(0);
    expect(count((_t, r, m) => r === '/orders/:id' && m === 'GET')).toBe(10);
    expect(count((_t, r) => r === '/orders/:id/lines')).toBe(100);
    expect(count((t) => t === 'cache.miss')).toBe(20);
    expect(count((t) => t === 'cache')).toBe(50);
    expect(count((t) => t === 'invoice.sent')).toBe(100);
    expect(logger.stats().sampledOut).toBe(100 + 90 + 80 + 50);
    expect(logger.stats().sampling!.rules).toEqual([
      { name: 'health', scope: 'logger', kept: 0, sampledOut: 100 },
      { name: 'order reads', scope: 'logger', kept: 10, sampledOut: 90 },
      { name: 'order writes', scope: 'logger', kept: 100, sampledOut: 0 },
      { name: 'cache', scope: 'logger', kept: 20, sampledOut: 80 },
      { name: 'business', scope: 'logger', kept: 100, sampledOut: 0 },
      { name: 'default', scope: 'logger', kept: 50, sampledOut: 50 },
    ]);
  });

  it('keeps failures, security events and slow requests under a rule, unless the rule opts out', async () => {
    const { logger, sink } = testLogger({
      slowThresholdMs: 500,
      sample: {
        random: () => 0.99,
        rules: [
          { match: { type: 'job.*' }, rate: 0, keepFailures: false },
          { match: { route: '/search' }, rate: 0, keepSlow: false },
          { match: { category: 'api' }, rate: 0 },
        ],
      },
    });
    logger.log({ type: 'job.run', outcome: 'failure', severity: 'info', message: 'opted out' });
    logger.log({ type: 'job.run', severity: 'error', message: 'still kept: severity error' });
    logger.log({
      ...request('GET', '/search'),
      request: { route: '/search', durationMs: 900 },
      message: 'slow, opted out',
    });
    logger.log({ ...request('GET', '/list'), request: { route: '/list', durationMs: 900 }, message: 'slow' });
    logger.log({ ...request('GET', '/list'), outcome: 'failure', message: 'failure' });
    logger.log({ type: 'scan', category: 'security', message: 'security' });
    logger.log({ ...request('GET', '/list'), message: 'routine' });
    await logger.close();
    expect(sink.events.map((e) => e.message)).toEqual([
      'still kept: severity error',
      'slow',
      'failure',
      'security',
    ]);
    expect(logger.stats().sampling!.rules.map((r) => [r.name, r.kept, r.sampledOut])).toEqual([
      ['rule 0', 1, 1],
      ['rule 1', 0, 1],
      ['rule 2', 2, 1],
      ['default', 1, 0],
    ]);
  });

  it('inherits keepFailures from the top level, so one switch turns it off everywhere', async () => {
    const { logger, sink } = testLogger({
      sample: { rate: 0, keepFailures: false, rules: [{ match: { type: 'a' }, rate: 0 }] },
    });
    logger.log({ type: 'a', outcome: 'failure', severity: 'info' });
    logger.log({ type: 'b', outcome: 'failure', severity: 'info' });
    await logger.close();
    expect(sink.events).toHaveLength(0);
    expect(logger.stats().sampledOut).toBe(2);
  });

  it('rejects bad rules at construction, naming the rule', () => {
    expect(() => testLogger({ sample: { rules: [{ match: { route: '/a' }, rate: 1.5 }] } })).toThrow(
      /sample\.rules\[0\]\.rate/,
    );
    expect(() => testLogger({ sample: { rules: [{ match: { routes: '/a' } as never, rate: 0 }] } })).toThrow(
      /sample\.rules\[0\]\.match\.routes is unknown .*did you mean sample\.rules\[0\]\.match\.route\?/,
    );
    expect(() => testLogger({ sample: { rules: [{ rate: 0 } as never] } })).toThrow(
      /sample\.rules\[0\]\.match/,
    );
    expect(() => testLogger({ sample: { rules: {} as never } })).toThrow(/sample\.rules must be an array/);
  });
});
