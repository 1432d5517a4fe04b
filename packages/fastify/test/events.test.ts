import { expectOneEvent } from '@auditkit/test-utils';
import { makeApp } from './helpers';

describe('fastify: the per-request event', () => {
  it('records method, path, matched route, status, outcome, duration, bytes and the echoed request id (inject)', async () => {
    const { app, logger, sink } = await makeApp({
      actor: (req) => ({ id: String(req.headers['x-user'] ?? '') || undefined }),
      tenant: (req) => req.headers['x-tenant'] as string,
    });
    const res = await app.inject({
      method: 'GET',
      url: '/orders/7?verbose=1',
      headers: { 'x-request-id': 'req-abc', 'x-user': 'u-1', 'x-tenant': 'acme' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toBe('req-abc');
    await app.close();
    await logger.close();
    const e = expectOneEvent(sink.events, (x) => x.type === 'http.request');
    expect(e).toMatchObject({
      category: 'api',
      action: 'read',
      outcome: 'success',
      severity: 'info',
      actor: { type: 'user', id: 'u-1' },
      tenant: 'acme',
      correlationId: 'req-abc',
      request: {
        id: 'req-abc',
        protocol: 'http',
        method: 'GET',
        path: '/orders/7',
        route: '/orders/:id',
        status: 200,
      },
    });
    expect(e.request!.durationMs).toBeGreaterThan(0);
    expect(e.request!.bytesOut).toBe(Buffer.byteLength(res.body));
    const viewed = expectOneEvent(sink.events, (x) => x.type === 'order.viewed');
    expect(viewed).toMatchObject({
      request: { id: 'req-abc' },
      actor: { id: 'u-1' },
      tenant: 'acme',
      resource: { id: '7' },
    });
  });

  it('records through a real listening server too, with failures, errors and unmatched routes', async () => {
    const { app, logger, sink } = await makeApp();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/boom`)).status).toBe(500);
    expect((await fetch(`${base}/denied`)).status).toBe(403);
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
    await app.close();
    await logger.close();
    const boom = expectOneEvent(sink.events, (x) => x.request?.path === '/boom');
    expect(boom).toMatchObject({
      outcome: 'failure',
      severity: 'error',
      request: { status: 500 },
      error: { name: 'Error', message: 'database down', code: 'EDB' },
    });
    expect(expectOneEvent(sink.events, (x) => x.request?.path === '/denied')).toMatchObject({
      outcome: 'failure',
      severity: 'warning',
      request: { status: 403 },
    });
    // No route matched: recorded, with the path and no route pattern.
    const unrouted = expectOneEvent(sink.events, (x) => x.request?.path === '/nowhere');
    expect(unrouted.request).toMatchObject({ method: 'GET', status: 404 });
    expect(unrouted.request).not.toHaveProperty('route');
  });

  it('route config: `audit: false` records nothing, an event is recorded beside the route event', async () => {
    const { app, logger, sink } = await makeApp();
    await app.inject({ method: 'GET', url: '/health' });
    await app.inject({ method: 'POST', url: '/orders', payload: { item: 'x' } });
    await app.close();
    await logger.close();
    expect(sink.events.some((e) => e.request?.path === '/health')).toBe(false);
    expect(expectOneEvent(sink.events, (e) => e.type === 'order.created')).toMatchObject({
      action: 'create',
      outcome: 'success',
      resource: { type: 'order' },
      request: { method: 'POST', path: '/orders' },
    });
    expect(expectOneEvent(sink.events, (e) => e.type === 'http.request').request).toMatchObject({
      method: 'POST',
      route: '/orders',
      status: 201,
    });
    expect(expectOneEvent(sink.events, (e) => e.type === 'order.note').request).toMatchObject({
      method: 'POST',
      path: '/orders',
    });
  });

  it('honours exclude and sampling options shared with every adapter', async () => {
    const { app, logger, sink } = await makeApp({
      exclude: ['/orders/*'],
      sample: { rate: 0, random: () => 0.5 },
    });
    await app.inject({ method: 'GET', url: '/orders/1' });
    await app.inject({ method: 'POST', url: '/orders' });
    await app.inject({ method: 'GET', url: '/denied' });
    await app.close();
    await logger.close();
    const requests = sink.events.filter((e) => e.request?.status !== undefined);
    expect(requests.map((e) => e.request!.path)).toEqual(['/denied']); // failures are kept by sampling
  });

  it('exposes the logger as app.audit and flushes it on app.close()', async () => {
    const { app, logger, sink } = await makeApp({}, { batch: { maxWaitMs: 60_000 } });
    expect(app.audit).toBe(logger);
    await app.inject({ method: 'POST', url: '/orders' });
    expect(sink.events).toHaveLength(0);
    await app.close();
    expect(sink.events.length).toBeGreaterThan(0);
    await logger.close();
  });
});
