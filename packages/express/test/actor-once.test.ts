import { audit } from '@auditkit/core';
import { auditMiddleware } from '@auditkit/express';
import { memoryLogger, startServer } from '@auditkit/test-utils';
import express from 'express';

describe('express: the actor() callback', () => {
  it('is called once per recorded event', async () => {
    const { logger, sink } = memoryLogger();
    let calls = 0;
    const app = express();
    app.use(
      auditMiddleware({
        logger,
        actor: (req) => {
          calls++;
          return { type: 'user', id: String(req.headers['x-user']) };
        },
      }),
    );
    app.get('/orders/:id', (req, res) => {
      audit.log({ type: 'order.viewed', resource: { type: 'order', id: req.params.id } });
      res.json({ id: req.params.id });
    });
    const server = await startServer(app);
    try {
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${server.url}/orders/${i}`, { headers: { 'x-user': `u${i}` } });
        expect(res.status).toBe(200);
      }
    } finally {
      await server.close();
    }
    await logger.close();
    expect(sink.events).toHaveLength(10);
    expect(sink.events.map((e) => e.actor.id)).toEqual([
      'u0',
      'u0',
      'u1',
      'u1',
      'u2',
      'u2',
      'u3',
      'u3',
      'u4',
      'u4',
    ]);
    expect(calls).toBe(sink.events.length);
  });
});
