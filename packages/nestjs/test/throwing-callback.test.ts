import { expectOneEvent, memoryLogger } from '@auditkit/test-utils';
import { type Platform, startNest } from './app';

describe.each<Platform>(['express', 'fastify'])('nestjs on %s: throwing callbacks', (platform) => {
  it('a resource id callback that throws on the failure path neither hangs the request nor loses the event', async () => {
    const errors: string[] = [];
    const { logger, sink } = memoryLogger({ onError: (e) => errors.push(e.message) });
    const { app, call } = await startNest(platform, {
      logger,
      actor: (req) => ({ id: req.headers['x-user'] as string }),
    });
    // The client's fetch gives up after 5 s, so a hung request fails here rather than at the test timeout.
    const res = await call('POST', '/accounts/merge', {}, { 'x-user': 'u-3', 'x-request-id': 'm-1' }).catch(
      (error: Error) => ({ status: error.name }),
    );
    await app.close();
    await logger.close();
    expect(res.status).toBe(409);
    expect(expectOneEvent(sink.events, (e) => e.type === 'account.merged')).toMatchObject({
      action: 'update',
      outcome: 'failure',
      actor: { id: 'u-3' },
      resource: { type: 'account', name: 'main' },
      request: { id: 'm-1' },
      details: { status: 409 },
      error: { message: 'accounts differ' },
    });
    expect(sink.events.find((e) => e.type === 'account.merged')!.resource!.id).toBeUndefined();
    expect(expectOneEvent(sink.events, (e) => e.type === 'http.request')).toMatchObject({
      outcome: 'failure',
      request: { id: 'm-1', status: 409 },
    });
    expect(logger.stats().callbackErrors).toBe(1);
    expect(errors.join('\n')).toMatch(/AuditAction\.resource\.id callback threw/);
    expect(logger.health()).toMatchObject({ status: 'degraded', reasons: ['1 callback errors'] });
  });

  it('throwing actor, tenant and sample callbacks on a guard-denied request are counted, never thrown', async () => {
    const { logger, sink } = memoryLogger({ onError: () => {} });
    const boom = () => {
      throw new Error('callback bug');
    };
    const { app, call } = await startNest(platform, { logger, actor: boom, tenant: boom, sample: boom });
    const res = await call('DELETE', '/admin/users/1', undefined, { 'x-user': 'u-4' });
    await app.close();
    await logger.close();
    expect(res.status).toBe(403);
    expect(expectOneEvent(sink.events, (e) => e.type === 'http.request')).toMatchObject({
      outcome: 'failure',
      actor: { type: 'anonymous' },
      request: { status: 403 },
    });
    expect(logger.stats().callbackErrors).toBe(3);
    expect(logger.health().status).toBe('degraded');
  });
});
