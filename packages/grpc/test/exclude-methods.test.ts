import { expectOneEvent, memoryLogger } from '@auditkit/test-utils';
import { startOrders } from './helpers';

describe('grpc: excludeMethods', () => {
  it('is about HTTP methods: excluding POST leaves gRPC calls audited; exclude by path still applies', async () => {
    const { logger, sink } = memoryLogger();
    const svc = await startOrders({ logger, excludeMethods: ['POST'], exclude: ['/shop.Orders/ListOrders'] });
    await svc.unary('GetOrder', { id: '7' });
    await new Promise<void>((resolve) => {
      const s = svc.client.ListOrders({ count: 2 });
      s.on('data', () => {});
      s.on('end', resolve);
    });
    await svc.close();
    await logger.close();
    expectOneEvent(
      sink.events,
      (e) => e.type === 'grpc.call' && e.request?.method === '/shop.Orders/GetOrder',
    );
    expect(sink.events.filter((e) => e.request?.method === '/shop.Orders/ListOrders')).toEqual([]);
  });
});
