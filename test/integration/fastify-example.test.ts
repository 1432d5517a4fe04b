import { createApp } from '@auditkit/example-fastify-app';
import { memoryLogger } from '@auditkit/test-utils';

describe('examples/fastify-app', () => {
  it('records its routes as the README says: route events, missed lookups, no health checks', async () => {
    const { logger, sink } = memoryLogger();
    const app = await createApp({ logger });
    const headers = { 'x-user-id': 'u-9', 'x-tenant-id': 'acme' };
    expect(
      (await app.inject({ method: 'POST', url: '/orders', payload: { item: 'desk' }, headers })).statusCode,
    ).toBe(201);
    expect((await app.inject({ method: 'GET', url: '/orders/77', headers })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    await app.close();
    await logger.close();
    expect(sink.events.map((e) => e.type).sort()).toEqual([
      'http.request',
      'http.request',
      'order.created',
      'order.lookup.missed',
    ]);
    // config.audit adds the business event beside the route's http.request, as @AuditAction does in the Nest example.
    const created = sink.events.find((e) => e.type === 'order.created')!;
    expect(created).toMatchObject({ action: 'create', outcome: 'success', resource: { type: 'order' } });
    expect(
      sink.events.find((e) => e.type === 'http.request' && e.request?.id === created.request?.id),
    ).toMatchObject({
      request: { method: 'POST', route: '/orders', status: 201 },
    });
    expect(sink.events.every((e) => e.actor.id === 'u-9' && e.tenant === 'acme')).toBe(true);
  });
});
