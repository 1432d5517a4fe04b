import { audit, getContext } from '@auditkit/core';
import { auditMiddleware } from '@auditkit/express';
import { auditPlugin } from '@auditkit/fastify';
import { memoryLogger, startServer } from '@auditkit/test-utils';
import express from 'express';
import Fastify from 'fastify';

describe('correlation sampling across an Express → Fastify hop', () => {
  it('both services keep or drop the same requests, with no coordination but the id', async () => {
    const sample = { rate: 0.5, byCorrelationId: true };
    // Downstream: Fastify, its own logger and its own sampling.
    const down = memoryLogger({ service: 'stock' });
    const stock = Fastify();
    await stock.register(auditPlugin, { logger: down.logger, sample });
    stock.get('/stock', async () => {
      audit.log({ type: 'stock.checked' });
      return { ok: true };
    });
    await stock.listen({ port: 0, host: '127.0.0.1' });
    const stockUrl = `http://127.0.0.1:${(stock.server.address() as { port: number }).port}`;

    // Upstream: Express, passing the correlation id on.
    const up = memoryLogger({ service: 'edge' });
    const app = express();
    app.use(auditMiddleware({ logger: up.logger, sample }));
    app.get('/checkout', async (_req, res) => {
      audit.log({ type: 'checkout.started' });
      await fetch(`${stockUrl}/stock`, { headers: { 'x-correlation-id': getContext()!.correlationId! } });
      res.send('done');
    });
    const edge = await startServer(app);
    const total = 60;
    try {
      for (let i = 0; i < total; i++)
        await fetch(`${edge.url}/checkout`, { headers: { 'x-correlation-id': `order-${i}` } });
    } finally {
      await edge.close();
      await stock.close();
    }
    await Promise.all([up.logger.close(), down.logger.close()]);

    const ids = (events: typeof up.sink.events, type: string) =>
      events.filter((e) => e.type === type).map((e) => e.correlationId);
    const kept = ids(up.sink.events, 'http.request');
    expect(kept.length).toBeGreaterThan(10);
    expect(kept.length).toBeLessThan(50);
    expect(ids(down.sink.events, 'http.request')).toEqual(kept);
    // The logger itself does not sample here: business events are all kept.
    expect(ids(up.sink.events, 'checkout.started')).toHaveLength(total);
    expect(ids(down.sink.events, 'stock.checked')).toHaveLength(total);
    expect(up.logger.stats().sampledOut).toBe(total - kept.length);
    expect(down.logger.stats().sampledOut).toBe(total - kept.length);
  });
});
