import { expectOneEvent, memoryLogger } from '@auditkit/test-utils';
import { type Platform, startNest } from './app';

describe.each<Platform>(['express', 'fastify'])('nestjs on %s: exception filters', (platform) => {
  it('records an HttpException answered by an exception filter exactly once', async () => {
    const { logger, sink } = memoryLogger();
    const { app, call } = await startNest(platform, { logger });
    const res = await call('POST', '/accounts/lock', {}, { 'x-request-id': 'f-1' });
    await app.close();
    await logger.close();
    expect(res.status).toBe(409);
    expect(res.json).toEqual({ conflict: 'account already locked' });
    expect(sink.events).toHaveLength(1);
    expect(expectOneEvent(sink.events, (e) => e.request?.id === 'f-1')).toMatchObject({
      type: 'http.request',
      outcome: 'failure',
      severity: 'warning',
      request: { route: '/accounts/lock', status: 409 },
      error: { message: 'account already locked' },
    });
  });
});
