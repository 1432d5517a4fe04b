import { auditMiddleware } from '@auditkit/express';
import { memoryLogger } from '@auditkit/test-utils';
import express from 'express';
import request from 'supertest';

describe('express: dedup', () => {
  it('collapses repeated identical requests into the first and one summary with a count', async () => {
    const { logger, sink } = memoryLogger({ dedup: { windowMs: 60_000 } });
    const app = express();
    app.use(auditMiddleware({ logger }));
    app.get('/status', (_req, res) => {
      res.send('up');
    });
    app.get('/orders/:id', (_req, res) => {
      res.send('order');
    });
    for (let n = 0; n < 5; n++) await request(app).get('/status');
    await request(app).get('/orders/1');
    await request(app).get('/orders/2'); // another path: another record
    await logger.close();
    expect(sink.events.map((e) => [e.request!.path, e.count])).toEqual([
      ['/status', undefined],
      ['/orders/1', undefined],
      ['/orders/2', undefined],
      ['/status', 4],
    ]);
    const [first, , , summary] = sink.events;
    expect(summary!.repeatOf).toBe(first!.id);
    expect(summary!.request!.id).toBeUndefined();
    // 4 repeats: the first is recorded as the summary, 3 are not recorded on their own.
    expect(logger.stats()).toMatchObject({ logged: 7, deduplicated: 3, queued: 4 });
  });
});
