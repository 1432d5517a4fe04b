import { congestedLogger, expectHeldWhileCongested, expectOneEvent } from '@auditkit/test-utils';
import * as grpc from '@grpc/grpc-js';
import { startOrders } from './helpers';

describe("grpc: overflow 'block'", () => {
  it('holds a call while the audit queue is full and lets it through once there is room', async () => {
    const congested = congestedLogger();
    const orders = await startOrders({ logger: congested.logger });
    const metadata = new grpc.Metadata();
    metadata.set('x-request-id', 'blocked-1');
    const { result, events } = await expectHeldWhileCongested(congested, () =>
      orders.unary('GetOrder', { id: '7' }, metadata),
    );
    expect(result).toEqual({ error: undefined, response: { id: '7', item: 'laptop' } });
    expect(expectOneEvent(events, (e) => e.type === 'order.viewed').request?.id).toBe('blocked-1');
    expect(expectOneEvent(events, (e) => e.type === 'grpc.call')).toMatchObject({
      outcome: 'success',
      request: { id: 'blocked-1', grpcCode: 0 },
    });
    await orders.close();
    await congested.logger.close();
  });
});
