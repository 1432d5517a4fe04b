import { failingLogger } from '@auditkit/test-utils';
import { type Platform, startNest } from './app';

describe.each<Platform>(['express', 'fastify'])('nestjs on %s: auditing never breaks the app', (platform) => {
  it('a failing sink, a throwing actor callback and a throwing state loader never fail a request', async () => {
    const { logger, errors } = failingLogger();
    const { app, call } = await startNest(
      platform,
      {
        logger,
        actor: () => {
          throw new Error('actor lookup failed');
        },
      },
      'forRootAsync',
    );
    for (let i = 0; i < 3; i++) expect((await call('GET', '/users/1')).status).toBe(200);
    const patched = await call('PATCH', '/users/flaky/1', {});
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ id: '1' });
    await app.close();
    await logger.close();
    // 3 × (http.request + user.viewed) + the PATCH's http.request and user.updated, all failed at the sink.
    expect(logger.stats().sinks[0]).toMatchObject({ delivered: 0, failed: 8 });
    expect(logger.stats().callbackErrors).toBeGreaterThanOrEqual(2);
    expect(errors.join('\n')).toMatch(/disk full/);
    expect(errors.join('\n')).toMatch(/AuditDataChange\.before callback threw: loader down/);
  });
});
