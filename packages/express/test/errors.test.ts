import { type AuditError, createAuditLogger } from '@auditkit/core';
import { auditErrorHandler, auditMiddleware } from '@auditkit/express';
import { expectOneEvent, memoryLogger, startServer } from '@auditkit/test-utils';
import express from 'express';
import request from 'supertest';

function failingApp(options: Parameters<typeof auditMiddleware>[0]) {
  const a = express();
  a.use(auditMiddleware(options));
  a.get('/throw', () => {
    throw Object.assign(new Error('db password=hunter2 rejected'), { code: 'E_DB' });
  });
  a.get('/next', (_req, _res, next) => {
    next(Object.assign(new Error('not allowed'), { status: 403 }));
  });
  a.get('/async', async () => {
    await Promise.resolve();
    throw new Error('async failure');
  });
  a.get('/ok', (req, res) => {
    req.audit.log({ type: 'thing.done' });
    res.send('ok');
  });
  a.use(auditErrorHandler());
  a.use(
    (
      err: Error & { status?: number },
      _req: express.Request,
      res: express.Response,
      _next: express.NextFunction,
    ) => {
      res.status(err.status ?? 500).json({ error: err.message });
    },
  );
  return a;
}

describe('express: errors', () => {
  it('records thrown and next(err) errors as failures with the error details', async () => {
    const { logger, sink } = memoryLogger();
    const a = failingApp({ logger });
    await request(a).get('/throw').expect(500);
    await request(a).get('/next').expect(403);
    await logger.close();
    expect(expectOneEvent(sink.events, (e) => e.request?.path === '/throw')).toMatchObject({
      outcome: 'failure',
      severity: 'error',
      request: { status: 500, route: '/throw' },
      error: { name: 'Error', message: 'db password=hunter2 rejected', code: 'E_DB' },
    });
    expect(expectOneEvent(sink.events, (e) => e.request?.path === '/next')).toMatchObject({
      outcome: 'failure',
      severity: 'warning',
      request: { status: 403 },
      error: { message: 'not allowed' },
    });
  });

  // Express 4 does not catch rejected promises (the request would hang), so this is Express 5 only.
  const express5 = process.env.AUDITKIT_EXPRESS_MAJOR === '4' ? it.skip : it;
  express5('records rejected async handlers', async () => {
    const { logger, sink } = memoryLogger();
    const server = await startServer(failingApp({ logger }));
    await request(server.url).get('/async').expect(500);
    await server.close();
    await logger.close();
    expect(expectOneEvent(sink.events, (e) => e.request?.path === '/async')).toMatchObject({
      outcome: 'failure',
      severity: 'error',
      error: { message: 'async failure' },
    });
  });

  it('a failing sink never fails a request', async () => {
    const errors: AuditError[] = [];
    const logger = createAuditLogger({
      service: 's',
      flushOnExit: false,
      batch: { maxWaitMs: 0 },
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      sinks: [{ name: 'broken', write: () => Promise.reject(new Error('sink down')), close: async () => {} }],
      onError: (e) => errors.push(e),
    });
    const a = failingApp({ logger });
    for (let i = 0; i < 20; i++) await request(a).get('/ok').expect(200, 'ok');
    await logger.close();
    expect(logger.stats().sinks[0]).toMatchObject({ failed: 40 });
    expect(errors.some((e) => e.kind === 'sink' && /sink down/.test(e.message))).toBe(true);
  });

  it('a hanging sink does not slow requests beyond the queue policy', async () => {
    const logger = createAuditLogger({
      service: 's',
      flushOnExit: false,
      queue: { maxEvents: 50, overflow: 'drop' },
      retry: { timeoutMs: 0 },
      sinks: [{ name: 'hang', write: () => new Promise<void>(() => {}), close: async () => {} }],
      onError: () => {},
    });
    const server = await startServer(failingApp({ logger }));
    const started = Date.now();
    for (let i = 0; i < 200; i++) await request(server.url).get('/ok').expect(200);
    const elapsed = Date.now() - started;
    await server.close();
    const stats = logger.stats();
    expect(stats.queue.events).toBeLessThanOrEqual(50);
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.logged).toBe(400);
    // 200 sequential requests complete; the sink never answered. (Generous bound: a stuck request would hit the 30 s test timeout.)
    expect(elapsed).toBeLessThan(20_000);
  });

  it('throwing actor/tenant callbacks are counted, never thrown into the request', async () => {
    const { logger, sink } = memoryLogger({ onError: () => {} });
    const a = failingApp({
      logger,
      actor: () => {
        throw new Error('actor bug');
      },
      tenant: () => {
        throw new Error('tenant bug');
      },
    });
    await request(a).get('/ok').expect(200);
    await logger.close();
    expect(sink.events).toHaveLength(2);
    expect(sink.events[0]!.actor.type).toBe('anonymous');
    expect(logger.stats().callbackErrors).toBeGreaterThanOrEqual(2);
    expect(logger.health().status).toBe('degraded');
  });

  it('rejects bad options at setup with a clear error', () => {
    expect(() => auditMiddleware({ actor: 'nope' as never })).toThrow(
      /actor must be a function, got the string "nope"/,
    );
    expect(() => auditMiddleware({ exclude: [42 as never] })).toThrow(
      /exclude\[0\] must be a string or a RegExp, got the number 42/,
    );
    expect(() => auditMiddleware({ sample: { rate: -1 } })).toThrow(/sample.rate/);
  });

  it("records a failed route with its router's mount path, whichever handler answers the error", async () => {
    const { logger, sink } = memoryLogger();
    const api = express.Router();
    api.get('/boom/:id', () => {
      throw new Error('boom');
    });
    api.get('/ok/:id', (req, res) => {
      // Handlers still read the route Express matched.
      res.json({ route: req.route.path });
    });
    // Only auditErrorHandler: the error ends in Express's own final handler.
    const bare = express();
    bare.use(auditMiddleware({ logger }));
    bare.use('/api', api);
    bare.get('/top/:id', () => {
      throw new Error('top');
    });
    bare.use(auditErrorHandler());
    // An app-level error handler of the application's own answers.
    const handled = express();
    handled.use(auditMiddleware({ logger }));
    handled.use('/v2', api);
    handled.use(auditErrorHandler());
    handled.use((_err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(502).json({ error: 'upstream' });
    });
    await request(bare).get('/api/boom/1').expect(500);
    await request(bare).get('/top/2').expect(500);
    expect((await request(bare).get('/api/ok/3').expect(200)).body).toEqual({ route: '/ok/:id' });
    await request(handled).get('/v2/boom/4').expect(502);
    await request(bare).get('/nowhere').expect(404);
    await logger.close();
    const byPath = (path: string) => expectOneEvent(sink.events, (e) => e.request?.path === path);
    expect(byPath('/api/boom/1')).toMatchObject({
      message: 'GET /api/boom/:id 500',
      request: { route: '/api/boom/:id', status: 500 },
      error: { message: 'boom' },
    });
    expect(byPath('/top/2').request).toMatchObject({ route: '/top/:id', status: 500 });
    expect(byPath('/api/ok/3').request).toMatchObject({ route: '/api/ok/:id', status: 200 });
    expect(byPath('/v2/boom/4').request).toMatchObject({ route: '/v2/boom/:id', status: 502 });
    expect(byPath('/nowhere').request!.route).toBeUndefined();
  });
});
