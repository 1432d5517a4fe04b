import { expectOneEvent, memoryLogger, runConcurrently } from '@auditkit/test-utils';
import * as grpc from '@grpc/grpc-js';
import { startNestGrpc } from './grpc-app';

describe('nestjs gRPC microservice', () => {
  it('records one grpc.call per call with the code of the exception, the caller from metadata and the decorators', async () => {
    const { logger, sink } = memoryLogger();
    const svc = await startNestGrpc({
      logger,
      actor: (req) => ({ id: req.headers['x-user'] as string }),
      tenant: (req) => req.headers['x-tenant'] as string,
    });
    const md = new grpc.Metadata();
    md.set('x-request-id', 'g-1');
    md.set('x-user', 'u-7');
    md.set('x-tenant', 'acme');
    expect((await svc.unary({ id: '7' }, md)).response).toEqual({ id: '7', item: 'laptop' });
    expect((await svc.unary({ id: 'missing' })).error?.code).toBe(grpc.status.NOT_FOUND);
    expect((await svc.unary({ id: 'crash' })).error?.code).toBe(grpc.status.UNKNOWN);
    await svc.close();
    await logger.close();

    expect(
      expectOneEvent(sink.events, (e) => e.type === 'grpc.call' && e.request?.id === 'g-1'),
    ).toMatchObject({
      category: 'api',
      action: 'execute',
      outcome: 'success',
      severity: 'info',
      message: '/shop.Orders/GetOrder OK',
      actor: { id: 'u-7' },
      tenant: 'acme',
      request: {
        protocol: 'grpc',
        method: '/shop.Orders/GetOrder',
        route: '/shop.Orders/GetOrder',
        grpcCode: 0,
      },
      details: { messagesReceived: 1, messagesSent: 1 },
    });
    expect(expectOneEvent(sink.events, (e) => e.type === 'order.viewed')).toMatchObject({
      request: { id: 'g-1' },
      actor: { id: 'u-7' },
      tenant: 'acme',
    });
    expect(
      expectOneEvent(sink.events, (e) => e.type === 'order.read' && e.outcome === 'success'),
    ).toMatchObject({ resource: { type: 'order', id: '7' }, request: { id: 'g-1' } });
    expect(expectOneEvent(sink.events, (e) => e.request?.grpcCode === grpc.status.NOT_FOUND)).toMatchObject({
      type: 'grpc.call',
      outcome: 'failure',
      severity: 'warning',
      message: '/shop.Orders/GetOrder NOT_FOUND',
    });
    expect(
      expectOneEvent(sink.events, (e) => e.type === 'order.read' && e.resource?.id === 'missing'),
    ).toMatchObject({ outcome: 'failure' });
    expect(expectOneEvent(sink.events, (e) => e.request?.grpcCode === grpc.status.UNKNOWN)).toMatchObject({
      type: 'grpc.call',
      outcome: 'failure',
      severity: 'error',
      error: { message: 'database down' },
    });
  });

  it('counts the messages of a server stream without changing what the client receives', async () => {
    const { logger, sink } = memoryLogger();
    const svc = await startNestGrpc({ logger });
    expect(await svc.list(5)).toHaveLength(5);
    await svc.close();
    await logger.close();
    expect(expectOneEvent(sink.events, (e) => e.type === 'grpc.call')).toMatchObject({
      outcome: 'success',
      request: { method: '/shop.Orders/ListOrders', grpcCode: 0 },
      details: { messagesSent: 5 },
    });
  });

  it('honours exclude and keeps 100 concurrent calls apart', async () => {
    const { logger, sink } = memoryLogger();
    const svc = await startNestGrpc({ logger, exclude: ['/shop.Orders/ListOrders'] });
    await svc.list(2);
    await runConcurrently(100, 20, (i) => {
      const md = new grpc.Metadata();
      md.set('x-request-id', `c-${i}`);
      return svc.unary({ id: String(i) }, md);
    });
    await svc.close();
    await logger.close();
    expect(sink.events.some((e) => e.request?.method === '/shop.Orders/ListOrders')).toBe(false);
    const viewed = sink.events.filter((e) => e.type === 'order.viewed');
    expect(viewed).toHaveLength(100);
    for (const e of viewed) expect(e.request!.id).toBe(`c-${e.resource!.id}`);
  });
});
