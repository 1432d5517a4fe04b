import { expectOneEvent, memoryLogger } from '@auditkit/test-utils';
import { type Platform, startNest } from './app';

describe.each<Platform>(['express', 'fastify'])('nestjs on %s: testing modules', (platform) => {
  it('an app created from a testing module records guard denials and unknown routes too', async () => {
    const { logger, sink } = memoryLogger();
    const { app, call } = await startNest(platform, { logger }, 'forRoot', 'testing');
    const denied = await call('DELETE', '/admin/users/1', undefined, { 'x-request-id': 't-403' });
    const missing = await call('GET', '/nowhere', undefined, { 'x-request-id': 't-404' });
    const ok = await call('GET', '/users/1', undefined, { 'x-request-id': 't-200' });
    await app.close();
    await logger.close();
    expect([denied.status, missing.status, ok.status]).toEqual([403, 404, 200]);
    for (const [id, status] of [
      ['t-403', 403],
      ['t-404', 404],
      ['t-200', 200],
    ] as const)
      expect(
        expectOneEvent(sink.events, (e) => e.type === 'http.request' && e.request?.id === id),
      ).toMatchObject({ request: { status } });
    expect(expectOneEvent(sink.events, (e) => e.type === 'user.viewed')).toMatchObject({
      request: { id: 't-200' },
    });
  });
});
