import { expectOneEvent, memoryLogger } from '@auditkit/test-utils';
import * as grpc from '@grpc/grpc-js';
import { startOrders } from './helpers';

describe('grpc: the caller address', () => {
  it('is recorded as grpc-js names it (call.getPeer()), in actor.ip and details.peer', async () => {
    const { logger, sink } = memoryLogger();
    const svc = await startOrders({ logger });
    for (const id of ['peer-1', 'peer-2']) {
      const md = new grpc.Metadata();
      md.set('x-request-id', id);
      await svc.unary('GetOrder', { id: '1' }, md);
    }
    await svc.close();
    await logger.close();
    expect(svc.peers).toHaveLength(2);
    expect(svc.peers[0]).toMatch(/^127\.0\.0\.1:\d+$/);
    for (const [i, id] of ['peer-1', 'peer-2'].entries()) {
      const call = expectOneEvent(sink.events, (e) => e.type === 'grpc.call' && e.request?.id === id);
      expect({ ip: call.actor?.ip, peer: call.details?.peer }).toEqual({
        ip: svc.peers[i],
        peer: svc.peers[i],
      });
    }
  });
});
