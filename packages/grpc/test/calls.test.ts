import { runWithContext } from '@auditkit/core';
import { expectOneEvent, memoryLogger, runConcurrently } from '@auditkit/test-utils';
import * as grpc from '@grpc/grpc-js';
import { startOrders } from './helpers';

describe('grpc: server interceptor', () => {
  it('records one grpc.call event per unary call: method, code, outcome, counts, ids from metadata', async () => {
    const { logger, sink } = memoryLogger();
    const svc = await startOrders({
      logger,
      actor: (c) => ({ id: c.metadata.get('x-user')[0] as string }),
      tenant: (c) => c.metadata.get('x-tenant')[0] as string,
    });
    const md = new grpc.Metadata();
    md.set('x-request-id', 'req-1');
    md.set('x-user', 'u-1');
    md.set('x-tenant', 'acme');
    md.set('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    const ok = await svc.unary('GetOrder', { id: '7' }, md);
    expect(ok.response).toEqual({ id: '7', item: 'laptop' });
    const missing = await svc.unary('GetOrder', { id: 'missing' });
    expect(missing.error?.code).toBe(grpc.status.NOT_FOUND);
    const crash = await svc.unary('GetOrder', { id: 'crash' });
    expect(crash.error?.code).toBe(grpc.status.UNKNOWN);
    await svc.close();
    await logger.close();
    const call = expectOneEvent(sink.events, (e) => e.type === 'grpc.call' && e.request?.id === 'req-1');
    expect(call).toMatchObject({
      category: 'api',
      action: 'execute',
      outcome: 'success',
      severity: 'info',
      actor: { id: 'u-1' },
      tenant: 'acme',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      request: {
        protocol: 'grpc',
        method: '/shop.Orders/GetOrder',
        route: '/shop.Orders/GetOrder',
        grpcCode: 0,
      },
      details: { messagesReceived: 1, messagesSent: 1 },
    });
    expect(expectOneEvent(sink.events, (e) => e.type === 'order.viewed')).toMatchObject({
      request: { id: 'req-1' },
      actor: { id: 'u-1' },
      tenant: 'acme',
    });
    expect(expectOneEvent(sink.events, (e) => e.request?.grpcCode === grpc.status.NOT_FOUND)).toMatchObject({
      outcome: 'failure',
      severity: 'warning',
      error: { message: 'no such order' },
    });
    expect(expectOneEvent(sink.events, (e) => e.request?.grpcCode === grpc.status.UNKNOWN)).toMatchObject({
      outcome: 'failure',
      severity: 'error',
    });
  });

  it('counts messages of server-, client- and bidi-streaming calls', async () => {
    const { logger, sink } = memoryLogger();
    const svc = await startOrders({ logger });
    await new Promise<void>((resolve) => {
      const s = svc.client.ListOrders({ count: 4 });
      s.on('data', () => {});
      s.on('end', resolve);
    });
    await new Promise<void>((resolve) => {
      const s = svc.client.AddOrders((_e: unknown) => resolve());
      for (let i = 0; i < 3; i++) s.write({ id: String(i), item: 'y' });
      s.end();
    });
    await new Promise<void>((resolve) => {
      const s = svc.client.Sync();
      s.on('data', () => {});
      s.on('end', resolve);
      for (let i = 0; i < 2; i++) s.write({ id: String(i), item: 'z' });
      s.end();
    });
    await svc.close();
    await logger.close();
    const by = (m: string) =>
      expectOneEvent(sink.events, (e) => e.request?.method === `/shop.Orders/${m}`).details;
    expect(by('ListOrders')).toMatchObject({ messagesReceived: 1, messagesSent: 4 });
    expect(by('AddOrders')).toMatchObject({ messagesReceived: 3, messagesSent: 1 });
    expect(by('Sync')).toMatchObject({ messagesReceived: 2, messagesSent: 2 });
  });

  it('honours exclude, and keeps 200 concurrent calls apart', async () => {
    const { logger, sink } = memoryLogger();
    const svc = await startOrders({ logger, exclude: ['/shop.Orders/ListOrders'] });
    await runConcurrently(200, 30, async (i) => {
      const md = new grpc.Metadata();
      md.set('x-request-id', `r-${i}`);
      await svc.unary('GetOrder', { id: String(i) }, md);
    });
    await new Promise<void>((resolve) => {
      const s = svc.client.ListOrders({ count: 1 });
      s.on('data', () => {});
      s.on('end', resolve);
    });
    await svc.close();
    await logger.close();
    const viewed = sink.events.filter((e) => e.type === 'order.viewed');
    expect(viewed).toHaveLength(200);
    for (const e of viewed) expect(e.request!.id).toBe(`r-${e.resource!.id}`);
    expect(sink.events.some((e) => e.request?.method === '/shop.Orders/ListOrders')).toBe(false);
  });

  it('the client interceptor sends the caller context: one correlation id across services', async () => {
    const { logger, sink } = memoryLogger();
    const svc = await startOrders({ logger });
    await runWithContext(
      { correlationId: 'corr-123', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' },
      () => svc.unary('GetOrder', { id: '1' }),
    );
    await svc.close();
    await logger.close();
    for (const e of sink.events)
      expect(e).toMatchObject({ correlationId: 'corr-123', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
    expect(sink.events).toHaveLength(2);
  });
});
