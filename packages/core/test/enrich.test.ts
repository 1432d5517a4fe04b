import { runWithContext } from '../src';
import { testLogger } from './helpers';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('enrich', () => {
  it('fills id, time, defaults and source', async () => {
    const { logger, sink } = testLogger({ environment: 'test' });
    const id = logger.log({ type: 'order.created', resource: { type: 'order', id: '42' } });
    await logger.close();
    expect(sink.events).toHaveLength(1);
    const e = sink.events[0]!;
    expect(e.id).toBe(id);
    expect(e.id).toMatch(UUID_V7);
    expect(e.v).toBe(1);
    expect(Math.abs(Date.parse(e.time) - Date.now())).toBeLessThan(5000);
    expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(e).toMatchObject({
      type: 'order.created',
      category: 'business',
      action: 'create',
      outcome: 'success',
      severity: 'info',
      actor: { type: 'anonymous' },
      resource: { type: 'order', id: '42' },
      source: { service: 'svc', version: '1.2.3', instance: 'test-1', environment: 'test' },
    });
  });

  it('ids are unique and time ordered', async () => {
    const { logger, sink } = testLogger();
    for (let i = 0; i < 2000; i++) logger.log({ type: 't' });
    await logger.close();
    const ids = sink.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(2000);
    expect([...ids].sort()).toEqual(ids);
  });

  it('derives category and action from the type, and failure from an error', async () => {
    const { logger, sink } = testLogger();
    logger.log({ type: 'auth.login', error: new Error('bad password') });
    logger.log({ type: 'data.deleted' });
    logger.log({ type: 'security.alert', severity: 'critical', category: 'security', action: 'detect' });
    await logger.close();
    expect(sink.events[0]).toMatchObject({
      category: 'authentication',
      action: 'login',
      outcome: 'failure',
      severity: 'error',
      error: { name: 'Error', message: 'bad password' },
    });
    expect(sink.events[1]).toMatchObject({ category: 'data', action: 'delete', outcome: 'success' });
    expect(sink.events[2]).toMatchObject({ category: 'security', action: 'detect', severity: 'critical' });
  });

  it('takes request context from AsyncLocalStorage, input winning over context', async () => {
    const { logger, sink } = testLogger();
    const ctx = {
      requestId: 'req-1',
      correlationId: 'corr-1',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      actor: { type: 'user' as const, id: 'u1', roles: ['admin'] },
      tenant: 'acme',
      ip: '10.0.0.1',
      userAgent: 'curl/8',
      request: { protocol: 'http' as const, method: 'POST', path: '/orders' },
    };
    await runWithContext(ctx, async () => {
      await new Promise((r) => setTimeout(r, 1));
      logger.log({ type: 'order.created' });
      logger.log({ type: 'order.created', tenant: 'other', actor: { id: 'u2' } });
    });
    logger.log({ type: 'outside' });
    await logger.close();
    expect(sink.events[0]).toMatchObject({
      correlationId: 'corr-1',
      traceId: ctx.traceId,
      spanId: ctx.spanId,
      tenant: 'acme',
      actor: { type: 'user', id: 'u1', roles: ['admin'], ip: '10.0.0.1', userAgent: 'curl/8' },
      request: { id: 'req-1', protocol: 'http', method: 'POST', path: '/orders' },
    });
    expect(sink.events[1]).toMatchObject({ tenant: 'other', actor: { type: 'user', id: 'u2' } });
    expect(sink.events[2]!.actor).toEqual({ type: 'anonymous' });
    expect(sink.events[2]!.correlationId).toBeUndefined();
  });

  it('repairs bad input instead of throwing, and counts it', async () => {
    const { logger, sink } = testLogger();
    const bad = [
      null,
      'just a string',
      { type: '' },
      { type: 'x', severity: 'loud', outcome: 'maybe' },
      { type: 'x', time: 'not a date' },
      { type: 'x', resource: 'user', error: 'boom', details: [1, 2] },
    ];
    for (const input of bad) expect(() => logger.log(input as never)).not.toThrow();
    await logger.close();
    expect(sink.events).toHaveLength(bad.length);
    expect(sink.events[0]!.type).toBe('custom.event');
    expect(sink.events[1]!.details).toEqual({ value: 'just a string' });
    expect(sink.events[3]).toMatchObject({ severity: 'info', outcome: 'success' });
    expect(sink.events[5]).toMatchObject({
      resource: { type: 'user' },
      error: { message: 'boom' },
      details: { value: '[1,2]' },
    });
    expect(logger.stats().repaired).toBe(5);
  });
});
