import { auditMiddleware } from '@auditkit/express';
import { memoryLogger, startServer } from '@auditkit/test-utils';
import express from 'express';

describe('express: sampling rules', () => {
  it('samples per route and method on a real server, counted per rule in the logger stats', async () => {
    let i = 0;
    const random = () => (i++ % 10) / 10; // exactly rate × 10 of every 10 draws are kept
    const { logger, sink } = memoryLogger();
    const app = express();
    app.use(
      auditMiddleware({
        logger,
        sample: {
          rate: 1,
          random,
          rules: [
            { name: 'probes', match: { route: '/health' }, rate: 0 },
            { name: 'reads', match: { route: '/orders/:id', method: 'GET' }, rate: 0.2 },
          ],
        },
      }),
    );
    app.get('/health', (_req, res) => {
      res.send('ok');
    });
    app.get('/orders/:id', (req, res) => {
      res.status(req.params.id === 'missing' ? 404 : 200).send('order');
    });
    app.put('/orders/:id', (_req, res) => {
      res.send('updated');
    });
    const server = await startServer(app);
    try {
      for (let n = 0; n < 10; n++) {
        await fetch(`${server.url}/health`);
        await fetch(`${server.url}/orders/${n}`);
        await fetch(`${server.url}/orders/${n}`, { method: 'PUT' });
      }
      await fetch(`${server.url}/orders/missing`); // a 404 is a failure: kept whatever the rate
    } finally {
      await server.close();
    }
    await logger.close();
    const seen = sink.events.map((e) => `${e.request!.method} ${e.request!.route}`);
    expect(seen.filter((s) => s === 'GET /health')).toHaveLength(0);
    expect(seen.filter((s) => s === 'GET /orders/:id')).toHaveLength(2 + 1);
    expect(seen.filter((s) => s === 'PUT /orders/:id')).toHaveLength(10);
    expect(logger.stats().sampledOut).toBe(10 + 8);
    expect(logger.stats().sampling!.rules).toEqual([
      { name: 'probes', scope: 'request', kept: 0, sampledOut: 10 },
      { name: 'reads', scope: 'request', kept: 3, sampledOut: 8 },
      { name: 'default', scope: 'request', kept: 10, sampledOut: 0 },
    ]);
  });
});
