import { auditMiddleware } from '@auditkit/express';
import { congestedLogger, expectHeldWhileCongested, expectOneEvent, startServer } from '@auditkit/test-utils';
import express from 'express';

describe("express: overflow 'block'", () => {
  it('holds a request while the audit queue is full and lets it through once there is room', async () => {
    const congested = congestedLogger();
    const app = express();
    app.use(auditMiddleware({ logger: congested.logger }));
    app.get('/orders/:id', (req, res) => {
      req.audit.log({ type: 'order.viewed', resource: { type: 'order', id: req.params.id } });
      res.json({ id: req.params.id });
    });
    const server = await startServer(app);
    const { result, events } = await expectHeldWhileCongested(congested, async () => {
      const res = await fetch(`${server.url}/orders/7`, { headers: { 'x-request-id': 'blocked-1' } });
      return { status: res.status, body: await res.json() };
    });
    expect(result).toEqual({ status: 200, body: { id: '7' } });
    expect(expectOneEvent(events, (e) => e.type === 'order.viewed').request?.id).toBe('blocked-1');
    expect(expectOneEvent(events, (e) => e.type === 'http.request')).toMatchObject({
      request: { id: 'blocked-1', status: 200 },
    });
    await server.close();
    await congested.logger.close();
  });
});
