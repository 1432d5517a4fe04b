import { auditMiddleware } from '@auditkit/express';
import { memoryLogger } from '@auditkit/test-utils';
import express from 'express';
import request from 'supertest';

describe('express: header, body and query capture', () => {
  it('records allow-listed headers and the redacted, size-capped body and query', async () => {
    const { logger, sink } = memoryLogger({ limits: { maxBodyBytes: 512 } });
    const a = express();
    a.use(express.json({ limit: '5mb' }));
    a.use(
      auditMiddleware({
        logger,
        captureHeaders: ['Content-Type', 'Authorization', 'x-missing'],
        captureBody: true,
        captureQuery: true,
      }),
    );
    a.post('/login', (_req, res) => {
      res.json({ ok: true });
    });
    await request(a)
      .post('/login?token=secret-magic&page=2')
      .set('authorization', 'Bearer abc.def')
      .send({
        username: 'ann',
        password: 'hunter2',
        card: '4111 1111 1111 1111',
        notes: 'n'.repeat(100),
        list: Array.from({ length: 100 }, (_, i) => `item-${i}-${'x'.repeat(30)}`),
      });
    await logger.close();
    const e = sink.events[0]!;
    expect(e.request!.headers).toEqual({ 'content-type': 'application/json', authorization: '[REDACTED]' });
    const body = e.request!.body as Record<string, unknown>;
    expect(body).toMatchObject({ username: 'ann', password: '[REDACTED]', card: '****1111' });
    expect(JSON.stringify(body).length).toBeLessThan(2048);
    expect(JSON.stringify(body)).toContain('size limit');
    expect(e.details).toEqual({ query: { token: '[REDACTED]', page: '2' } });
  });

  it('records no headers, body or query unless asked', async () => {
    const { logger, sink } = memoryLogger();
    const a = express();
    a.use(express.json());
    a.use(auditMiddleware({ logger }));
    a.post('/x', (_req, res) => {
      res.end();
    });
    await request(a).post('/x?a=1').send({ secret: 1 });
    await logger.close();
    const r = sink.events[0]!.request!;
    expect(r.headers).toBeUndefined();
    expect(r.body).toBeUndefined();
    expect(sink.events[0]!.details).toBeUndefined();
  });
});
