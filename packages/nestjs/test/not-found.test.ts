import { expectOneEvent, memoryLogger } from '@auditkit/test-utils';
import { type Platform, startNest } from './app';

describe.each<Platform>(['express', 'fastify'])('nestjs on %s: unknown routes', (platform) => {
  it('records a request that matches no route as a 404', async () => {
    const { logger, sink } = memoryLogger();
    const { app, call } = await startNest(platform, {
      logger,
      actor: (req) => ({ id: req.headers['x-user'] as string }),
    });
    const res = await call('GET', '/wp-admin/setup.php?step=1', undefined, { 'x-user': 'u-5' });
    await app.close();
    await logger.close();
    expect(res.status).toBe(404);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(expectOneEvent(sink.events, (e) => e.type === 'http.request')).toMatchObject({
      outcome: 'failure',
      severity: 'warning',
      actor: { id: 'u-5' },
      message: 'GET /wp-admin/setup.php 404',
      request: {
        id: res.headers.get('x-request-id'),
        method: 'GET',
        path: '/wp-admin/setup.php',
        status: 404,
      },
    });
  });
});
