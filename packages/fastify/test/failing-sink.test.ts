import { createAuditLogger } from '@auditkit/core';
import { auditPlugin } from '@auditkit/fastify';
import Fastify from 'fastify';

describe('fastify: auditing never breaks the app', () => {
  it('a failing sink and throwing callbacks never fail a request', async () => {
    const errors: string[] = [];
    const logger = createAuditLogger({
      service: 's',
      flushOnExit: false,
      batch: { maxWaitMs: 1 },
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 100 },
      sinks: [{ name: 'broken', write: () => Promise.reject(new Error('disk full')), close: async () => {} }],
      onError: (e) => errors.push(e.message),
    });
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
