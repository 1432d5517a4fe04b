import { auditMiddleware } from '@auditkit/express';
import { memoryLogger } from '@auditkit/test-utils';
import express from 'express';
import request from 'supertest';

describe('express: exclusions', () => {
  it('skips excluded paths (strings, globs, regexes) and methods, but still gives them a context', async () => {
    const { logger, sink } = memoryLogger();
    const a = express();
    a.use(
      auditMiddleware({
        logger,
        exclude: ['/health', '/metrics', /^\/static\//, '/assets/**', '/api/*/ping'],
      }),
    );
    a.get('/health', (req, res) => {
      req.audit.log({ type: 'health.checked' });
      res.send('ok');
    });
    a.use((_req, res) => {
      res.send('x');
    });
    const paths = [
      '/health',
      '/health?x=1',
      '/metrics',
      '/static/app.js',
      '/assets/a/b/c.css',
      '/api/v1/ping',
      '/api/v1/v2/ping',
      '/healthz',
      '/',
    ];
    for (const p of paths) await request(a).get(p).expect(200);
    await request(a).options('/orders');
    await logger.close();
    expect(sink.events.filter((e) => e.type === 'http.request').map((e) => e.request!.path)).toEqual([
      '/api/v1/v2/ping',
      '/healthz',
      '/',
    ]);
    // Business events inside an excluded route are still recorded, with their request context.
    expect(sink.events.filter((e) => e.type === 'health.checked')).toHaveLength(2);
  });

  it('takes a single string as one pattern, never as its characters', async () => {
    const { logger, sink } = memoryLogger();
    const a = express();
    a.use(auditMiddleware({ logger, exclude: '/health', excludeMethods: 'DELETE' }));
    a.use((_req, res) => {
      res.send('x');
    });
    for (const p of ['/health', '/', '/h', '/e']) await request(a).get(p).expect(200);
    await request(a).delete('/orders/1').expect(200);
    await request(a).options('/orders').expect(200);
    await logger.close();
    expect(sink.events.map((e) => `${e.request!.method} ${e.request!.path}`)).toEqual([
      'GET /',
      'GET /h',
      'GET /e',
      'OPTIONS /orders',
    ]);
  });

  it('excludeMethods replaces the default', async () => {
    const { logger, sink } = memoryLogger();
    const a = express();
    a.use(auditMiddleware({ logger, excludeMethods: ['GET'] }));
    a.use((_req, res) => {
      res.send('x');
    });
    await request(a).get('/a');
    await request(a).options('/a');
    await logger.close();
    expect(sink.events.map((e) => e.request!.method)).toEqual(['OPTIONS']);
  });
});
