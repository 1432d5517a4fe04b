import { auditPlugin } from '@auditkit/fastify';
import { congestedLogger, expectHeldWhileCongested, expectOneEvent } from '@auditkit/test-utils';
import Fastify from 'fastify';

describe("fastify: overflow 'block'", () => {
  it('holds a request while the audit queue is full and lets it through once there is room', async () => {
    const congested = congestedLogger();
    const app = Fastify();
    await app.register(auditPlugin, { logger: congested.logger });
    app.get('/orders/:id', async (request) => {
      const { id } = request.params as { id: string };
      request.audit!.log({ type: 'order.viewed', resource: { type: 'order', id } });
      return { id };
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const { result, events } = await expectHeldWhileCongested(congested, async () => {
      const res = await fetch(`${url}/orders/7`, { headers: { 'x-request-id': 'blocked-1' } });
      return { status: res.status, body: await res.json() };
    });
    expect(result).toEqual({ status: 200, body: { id: '7' } });
    expect(expectOneEvent(events, (e) => e.type === 'order.viewed').request?.id).toBe('blocked-1');
    expect(expectOneEvent(events, (e) => e.type === 'http.request')).toMatchObject({
      request: { id: 'blocked-1', status: 200, route: '/orders/:id' },
    });
    await app.close();
    await congested.logger.close();
  });
});
