import { auditPlugin } from '@auditkit/fastify';
import { failingLogger } from '@auditkit/test-utils';
import Fastify from 'fastify';

describe('fastify: auditing never breaks the app', () => {
  it('a failing sink and throwing callbacks never fail a request', async () => {
    const { logger, errors } = failingLogger();
    const app = Fastify();
    await app.register(auditPlugin, {
      logger,
      actor: () => {
        throw new Error('actor lookup failed');
      },
    });
    app.get('/', async () => ({ ok: true }));
    for (let i = 0; i < 5; i++) expect((await app.inject({ method: 'GET', url: '/' })).statusCode).toBe(200);
    await app.close();
    await logger.close();
    expect(logger.stats().sinks[0]).toMatchObject({ failed: 5 });
    expect(logger.stats().callbackErrors).toBeGreaterThan(0);
    expect(errors.join()).toMatch(/disk full/);
  });
});
