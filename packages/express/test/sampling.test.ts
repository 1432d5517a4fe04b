import { auditMiddleware } from '@auditkit/express';
import { memoryLogger } from '@auditkit/test-utils';
import express from 'express';
import request from 'supertest';

function sampledApp(options: Parameters<typeof auditMiddleware>[0]) {
  const a = express();
  a.use(auditMiddleware(options));
  a.get('/ok', (_req, res) => {
    res.send('ok');
  });
  a.get('/slow', (_req, res) => {
    setTimeout(() => res.send('slow'), 60);
  });
  a.get('/fail', (_req, res) => {
    res.status(503).send('no');
  });
  a.get('/denied', (_req, res) => {
    res.status(403).send('no');
  });
  return a;
}

describe('express: sampling', () => {
  it('keeps about `rate` of routine requests, decided by the injected random source', async () => {
    let i = 0;
    const random = () => ((i++ * 37) % 100) / 100;
    const { logger, sink } = memoryLogger();
    const a = sampledApp({ logger, sample: { rate: 0.1, random } });
    for (let n = 0; n < 200; n++) await request(a).get('/ok');
    await logger.close();
    expect(sink.events).toHaveLength(20);
  });

  it('always keeps 4xx, 5xx and slow requests', async () => {
    const { logger, sink } = memoryLogger();
    const a = sampledApp({ logger, sample: { rate: 0, random: () => 0.99 }, slowThresholdMs: 50 });
    await request(a).get('/ok');
    await request(a).get('/fail');
    await request(a).get('/denied');
    await request(a).get('/slow');
    await logger.close();
    expect(sink.events.map((e) => e.request!.path).sort()).toEqual(['/denied', '/fail', '/slow']);
  });

  it('can drop failures too when told, and accepts a function', async () => {
    const { logger, sink } = memoryLogger();
    const a = sampledApp({ logger, sample: (e) => e.request?.path !== '/fail' });
    await request(a).get('/fail');
    await request(a).get('/ok');
    await logger.close();
    expect(sink.events.map((e) => e.request!.path)).toEqual(['/ok']);
  });
});
