import { fileLogger, unconfirmedLogger } from '@auditkit/test-utils';
import * as grpc from '@grpc/grpc-js';
import { startOrders } from './helpers';

function withRequestId(id: string): grpc.Metadata {
  const m = new grpc.Metadata();
  m.set('x-request-id', id);
  return m;
}

describe('grpc: holdResponse', () => {
  it('sends the status only once the call event and the events it logged are in the file', async () => {
    const { logger, requestIds } = fileLogger();
    const orders = await startOrders({ logger, holdResponse: true });
    for (let i = 0; i < 5; i++) {
      const id = `held-${i}`;
      const { error, response } = await orders.unary('GetOrder', { id: String(i) }, withRequestId(id));
      expect({ error, response, onDisk: requestIds().filter((r) => r === id).length }).toEqual({
        error: undefined,
        response: { id: String(i), item: 'laptop' },
        onDisk: 2,
      });
    }
    // A failed call is held the same way.
    const missing = await orders.unary('GetOrder', { id: 'missing' }, withRequestId('held-missing'));
    expect(missing.error?.code).toBe(grpc.status.NOT_FOUND);
    expect(requestIds()).toContain('held-missing');
    expect(logger.stats().hold).toEqual({ held: 6, expired: 0, lost: 0 });
    await orders.close();
    await logger.close();
  });

  it('sends the status at the time limit when the sink never confirms, and counts it', async () => {
    const logger = unconfirmedLogger();
    const orders = await startOrders({ logger, holdResponse: { timeoutMs: 200 } });
    const started = Date.now();
    const { error } = await orders.unary('GetOrder', { id: '1' });
    expect(error).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(logger.stats().hold).toEqual({ held: 1, expired: 1, lost: 0 });
    await orders.close();
    await logger.close();
  });
});
