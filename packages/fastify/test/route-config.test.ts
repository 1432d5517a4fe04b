import { auditPlugin } from '@auditkit/fastify';
import { expectOneEvent, memoryLogger } from '@auditkit/test-utils';
import Fastify from 'fastify';

/** `config.audit` declares a business event recorded beside `http.request`, as Nest's `@AuditAction`. */
describe('fastify: route config.audit', () => {
  it('records the declared event beside the request event, and as a failure with error and status when the route fails', async () => {
    const { logger, sink } = memoryLogger();
    const app = Fastify();
    await app.register(auditPlugin, { logger, exclude: ['/internal/*'] });
    const declared = {
      type: 'invoice.paid',
      action: 'update',
      resource: { type: 'invoice', id: '7' },
    } as const;
    app.post('/invoices/:id/pay', { config: { audit: declared } }, async (request, reply) => {
      if ((request.query as { fail?: string }).fail === 'client')
        return reply.code(409).send({ error: 'paid already' });
      if ((request.query as { fail?: string }).fail === 'server') throw new Error('ledger down');
      return { ok: true };
    });
    app.post(
      '/internal/reindex',
      { config: { audit: { type: 'index.rebuilt', action: 'execute' } } },
      async () => ({
        ok: true,
      }),
    );

    expect((await app.inject({ method: 'POST', url: '/invoices/7/pay' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/invoices/7/pay?fail=client' })).statusCode).toBe(409);
    expect((await app.inject({ method: 'POST', url: '/invoices/7/pay?fail=server' })).statusCode).toBe(500);
    expect((await app.inject({ method: 'POST', url: '/internal/reindex' })).statusCode).toBe(200);
    await app.close();
    await logger.close();

    const paid = sink.events.filter((e) => e.type === 'invoice.paid');
    expect(paid.map((e) => [e.outcome, e.details?.status])).toEqual([
      ['success', undefined],
      ['failure', 409],
      ['failure', 500],
    ]);
    expect(paid.every((e) => e.action === 'update' && e.resource?.id === '7')).toBe(true);
    expect(paid[2]!.error).toMatchObject({ message: 'ledger down' });
    // Beside, not instead: every request also has its own event with the same request id.
    const requests = sink.events.filter((e) => e.type === 'http.request');
    expect(requests.map((e) => e.request?.status)).toEqual([200, 409, 500]);
    expect(paid.map((e) => e.request?.id)).toEqual(requests.map((e) => e.request?.id));
    // An excluded path has no http.request event but keeps its declared business event.
    expect(expectOneEvent(sink.events, (e) => e.type === 'index.rebuilt').outcome).toBe('success');
    expect(
      sink.events.some((e) => e.request?.path === '/internal/reindex' && e.type === 'http.request'),
    ).toBe(false);
  });

  it('records the declared event once with holdResponse, on excluded paths too (onSend and onResponse both end the request)', async () => {
    const { logger, sink } = memoryLogger();
    const app = Fastify();
    await app.register(auditPlugin, { logger, holdResponse: true, exclude: ['/internal/*'] });
    app.post(
      '/internal/reindex',
      { config: { audit: { type: 'index.rebuilt', action: 'execute' } } },
      async () => ({
        ok: true,
      }),
    );
    app.post('/orders', { config: { audit: { type: 'order.created', action: 'create' } } }, async () => ({
      id: '1',
    }));
    expect((await app.inject({ method: 'POST', url: '/internal/reindex' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/orders' })).statusCode).toBe(200);
    await app.close();
    await logger.close();
    expect(sink.events.map((e) => e.type).sort()).toEqual(['http.request', 'index.rebuilt', 'order.created']);
  });
});
