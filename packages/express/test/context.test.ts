import { audit } from '@auditkit/core';
import { auditMiddleware } from '@auditkit/express';
import { memoryLogger, runConcurrently, startServer } from '@auditkit/test-utils';
import express from 'express';
import request from 'supertest';

describe('express: context isolation', () => {
  it('keeps ids, actors and tenants apart across 1,000 interleaved requests', async () => {
    const { logger, sink } = memoryLogger({ queue: { maxEvents: 100_000 } });
    const a = express();
    a.use(
      auditMiddleware({
        logger,
        actor: (req) => ({ type: 'user', id: req.header('x-user') }),
        tenant: (req) => req.header('x-tenant'),
      }),
    );
    a.use(express.json());
    a.post('/work/:n', async (req, res) => {
      // Interleave: each request yields several times with random delays before and after logging.
      await new Promise((r) => setTimeout(r, Math.random() * 5));
      audit.log({ type: 'work.step', details: { n: req.params.n, phase: 1 } });
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, Math.random() * 5));
      req.audit.log({ type: 'work.step', details: { n: req.params.n, phase: 2 } });
      res.json({ n: req.params.n });
    });
    const server = await startServer(a);
    const agent = request.agent(server.url);
    const ids = await runConcurrently(1000, 100, async (i) => {
      const res = await agent
        .post(`/work/${i}`)
        .set('x-user', `user-${i}`)
        .set('x-tenant', `tenant-${i % 7}`)
        .set('x-request-id', `req-${i}`)
        .send({ i });
      expect(res.body).toEqual({ n: String(i) });
      return res.headers['x-request-id'];
    });
    await server.close();
    await logger.close();
    expect(ids).toEqual(Array.from({ length: 1000 }, (_, i) => `req-${i}`));
    expect(sink.events).toHaveLength(3000);
    for (const e of sink.events) {
      const n =
        e.type === 'http.request'
          ? Number(e.request!.path!.split('/')[2])
          : Number((e.details as { n: string }).n);
      expect(e.request!.id).toBe(`req-${n}`);
      expect(e.correlationId).toBe(`req-${n}`);
      expect(e.actor.id).toBe(`user-${n}`);
      expect(e.tenant).toBe(`tenant-${n % 7}`);
    }
  });
});
