import {
  expectOneEvent,
  expectThrowingCallbacksCounted,
  memoryLogger,
  throwingCallbacks,
} from '@auditkit/test-utils';
import * as grpc from '@grpc/grpc-js';
import { startOrders } from './helpers';

describe('grpc: throwing callbacks on an error path', () => {
  it('the client gets its status and the failed call is recorded; each throw is counted and reported', async () => {
    const errors: string[] = [];
    const { logger, sink } = memoryLogger({ onError: (e) => errors.push(e.message) });
    const svc = await startOrders({ logger, ...throwingCallbacks() });
    const { error } = await svc.unary('GetOrder', { id: 'missing' });
    await svc.close();
    await logger.close();
    expect(error?.code).toBe(grpc.status.NOT_FOUND);
    const event = expectOneEvent(sink.events, (e) => e.type === 'grpc.call');
    expect(event).toMatchObject({
      outcome: 'failure',
      actor: { type: 'anonymous' },
      request: { grpcCode: grpc.status.NOT_FOUND },
      error: { message: 'no such order' },
    });
    expect(event.tenant).toBeUndefined();
    expectThrowingCallbacksCounted(logger, errors);
  });
});
