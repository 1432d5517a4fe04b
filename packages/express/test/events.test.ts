import { audit } from '@auditkit/core';
import { auditMiddleware } from '@auditkit/express';
import { expectOneEvent, memoryLogger, startServer } from '@auditkit/test-utils';
import express from 'express';
import request from 'supertest';

function app(options: Parameters<typeof auditMiddleware>[0]) {
  const a = express();
  a.use(auditMiddleware(options));
  a.use(express.json());
  const users = express.Router();
  users.get('/:id', (req, res) => {
    res.json({ id: req.params.id, name: 'Ann' });
  });
  users.delete('/:id', (_req, res) => {
    res.status(204).end();
  });
  a.use('/users', users);
  a.post('/orders', (req, res) => {
    req.audit.log({
      type: 'order.created',
      resource: { type: 'order', id: '42' },
      details: { total: req.body.total },
    });
    res.status(201).json({ id: '42' });
  });
  a.get('/deep', async (_req, res) => {
    await new Promise((r) => setTimeout(r, 5));
    await Promise.resolve().then(() => audit.log({ type: 'report.exported', action: 'export' }));
    res.send('ok');
  });
  return a;
}

describe('express: the per-request event', () => {
  it('records method, path, route, status, duration, bytes, outcome and action', async () => {
    const { logger, sink } = memoryLogger();
    const server = await startServer(app({ logger }));
    const res = await request(server.url).get('/users/7?verbose=1').set('user-agent', 'jest-agent');
    await request(server.url).delete('/users/7');
    await request(server.url).get('/nowhere');
    await server.close();
    await logger.close();
    expect(res.status).toBe(200);
    const get = expectOneEvent(
      sink.events,
      (e) => e.request?.method === 'GET' && e.request.path === '/users/7',
    );
    expect(get).toMatchObject({
      type: 'http.request',
      category: 'api',
      action: 'read',
      outcome: 'success',
      severity: 'info',
      message: 'GET /users/:id 200',
      actor: { type: 'anonymous', ip: expect.stringMatching(/127\.0\.0\.1/), userAgent: 'jest-agent' },
      request: {
        protocol: 'http',
        method: 'GET',
        path: '/users/7',
        route: '/users/:id',
        status: 200,
        bytesOut: Number(res.headers['content-length']),
        id: res.headers['x-request-id'],
      },
      correlationId: res.headers['x-request-id'],
    });
    expect(get.request!.durationMs).toBeGreaterThan(0);
    expect(get.request!.durationMs).toBeLessThan(5000);
    const del = expectOneEvent(sink.events, (e) => e.request?.method === 'DELETE');
    expect(del).toMatchObject({ action: 'delete', outcome: 'success', request: { status: 204 } });
    const missing = expectOneEvent(sink.events, (e) => e.request?.path === '/nowhere');
    expect(missing).toMatchObject({ outcome: 'failure', severity: 'warning', request: { status: 404 } });
    expect(missing.request!.route).toBeUndefined();
  });

  it('honours x-request-id, x-correlation-id and traceparent, and echoes the request id', async () => {
    const { logger, sink } = memoryLogger();
    const server = await startServer(app({ logger }));
    const res = await request(server.url)
      .post('/orders')
      .set('x-request-id', 'abc-123')
      .set('x-correlation-id', 'flow-9')
      .set('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')
      .send({ total: 10 });
    const bad = await request(server.url).get('/users/1').set('x-request-id', 'has spaces <script>');
    await server.close();
    await logger.close();
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const shared = {
      correlationId: 'flow-9',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
    };
    const business = expectOneEvent(sink.events, (e) => e.type === 'order.created');
    expect(business).toMatchObject({
      ...shared,
      action: 'create',
      resource: { type: 'order', id: '42' },
      details: { total: 10 },
      request: { id: 'abc-123', method: 'POST', path: '/orders' },
    });
    const http = expectOneEvent(
      sink.events,
      (e) => e.type === 'http.request' && e.request?.method === 'POST',
    );
    expect(http).toMatchObject({
      ...shared,
      action: 'create',
      request: { id: 'abc-123', status: 201, route: '/orders', bytesIn: 12 },
    });
  });

  it('audit.log() anywhere in the async call tree inherits the request context', async () => {
    const { logger, sink } = memoryLogger();
    const server = await startServer(app({ logger, tenant: (req) => req.headers['x-tenant-id'] as string }));
    const res = await request(server.url).get('/deep').set('x-tenant-id', 'acme');
    await server.close();
    await logger.close();
    const exported = expectOneEvent(sink.events, (e) => e.type === 'report.exported');
    expect(exported).toMatchObject({
      tenant: 'acme',
      action: 'export',
      request: { id: res.headers['x-request-id'], path: '/deep' },
    });
  });

  it('resolves actor and tenant when the event is recorded, after auth middleware ran', async () => {
    const { logger, sink } = memoryLogger();
    const a = express();
    a.use(
      auditMiddleware({
        logger,
        actor: (req) => {
          const user = (req as express.Request & { user?: { id: string; roles: string[] } }).user;
          return user ? { type: 'user', id: user.id, roles: user.roles } : undefined;
        },
        tenant: (req) => req.header('x-tenant-id'),
      }),
    );
    a.use((req, _res, next) => {
      if (req.header('authorization') === 'Bearer good')
        Object.assign(req, { user: { id: 'u-1', roles: ['admin'] } });
      next();
    });
    a.post('/orders', (req, res) => {
      req.audit.log({ type: 'order.created' });
      res.status(201).end();
    });
    const server = await startServer(a);
    await request(server.url).post('/orders').set('authorization', 'Bearer good').set('x-tenant-id', 't-1');
    await request(server.url).post('/orders');
    await server.close();
    await logger.close();
    const authed = sink.events.filter((e) => e.actor.id === 'u-1');
    expect(authed.map((e) => e.type).sort()).toEqual(['http.request', 'order.created']);
    for (const e of authed)
      expect(e).toMatchObject({ tenant: 't-1', actor: { type: 'user', roles: ['admin'] } });
    const anonymous = sink.events.filter((e) => e.actor.type === 'anonymous');
    expect(anonymous).toHaveLength(2);
    for (const e of anonymous) expect(e.tenant).toBeUndefined();
  });

  it('works with inject-style in-memory requests through supertest(app)', async () => {
    const { logger, sink } = memoryLogger();
    await request(app({ logger })).get('/users/3').expect(200);
    await logger.close();
    expect(sink.events).toHaveLength(1);
  });
});
