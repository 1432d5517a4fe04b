import { expectOneEvent, failingLogger, memoryLogger } from '@auditkit/test-utils';
import * as grpc from '@grpc/grpc-js';
import { startOrders } from './helpers';

describe('grpc: cancelled calls and failing audits', () => {
  it('a call the client cancels or lets time out is recorded once as aborted, outcome unknown', async () => {
    const { logger, sink } = memoryLogger();
    const svc = await startOrders({ logger });
    let received = 0;
    await new Promise<void>((resolve) => {
      const s = svc.client.ListOrders({ count: -1 });
      s.on('data', () => {
        if (++received === 3) s.cancel();
      });
      s.on('error', () => resolve());
    });
    const late = await new Promise<grpc.ServiceError | null>((resolve) =>
      svc.client.GetOrder({ id: 'slow' }, { deadline: Date.now() + 50 }, (e: grpc.ServiceError | null) =>
        resolve(e),
      ),
    );
    expect(late?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    await new Promise((r) => setTimeout(r, 350));
    await svc.close();
    await logger.close();
    const feed = expectOneEvent(sink.events, (e) => e.request?.method === '/shop.Orders/ListOrders');
    expect(feed).toMatchObject({
      outcome: 'unknown',
      request: { aborted: true },
      details: { messagesReceived: 1 },
    });
    expect(feed.details!.messagesSent).toBeGreaterThanOrEqual(3);
    const timedOut = expectOneEvent(sink.events, (e) => e.request?.method === '/shop.Orders/GetOrder');
    expect(timedOut).toMatchObject({ outcome: 'unknown', request: { aborted: true } });
    expect(timedOut.request!.grpcCode).toBeUndefined();
  });

  it('a failing sink and a throwing actor callback never fail a call', async () => {
    const { logger, errors } = failingLogger();
    const svc = await startOrders({
      logger,
      actor: () => {
        throw new Error('actor lookup failed');
      },
    });
    for (let i = 0; i < 5; i++)
      expect((await svc.unary('GetOrder', { id: String(i) })).response).toBeDefined();
    await svc.close();
    await logger.close();
    // Each call: grpc.call + the handler's order.viewed.
    expect(logger.stats().sinks[0]).toMatchObject({ delivered: 0, failed: 10 });
    expect(logger.stats().callbackErrors).toBeGreaterThanOrEqual(5);
    expect(errors.join('\n')).toMatch(/disk full/);
  });
});
