import type { GrpcAuditOptions } from '@auditkit/grpc';
import { memoryLogger } from '@auditkit/test-utils';
import * as grpc from '@grpc/grpc-js';
import { startOrders } from './helpers';

/** One GetOrder call: the response metadata (headers) the server sent. */
async function responseHeaders(options: Omit<GrpcAuditOptions, 'logger'>, requestId?: string) {
  const { logger, sink } = memoryLogger();
  const svc = await startOrders({ logger, ...options });
  const md = new grpc.Metadata();
  if (requestId) md.set('x-request-id', requestId);
  const headers = await new Promise<grpc.Metadata>((resolve, reject) => {
    let received = new grpc.Metadata();
    const call = svc.client.GetOrder({ id: '1' }, md, (e: grpc.ServiceError | null) =>
      e ? reject(e) : resolve(received),
    );
    call.on('metadata', (m: grpc.Metadata) => {
      received = m;
    });
  });
  await svc.close();
  await logger.close();
  const event = sink.events.find((e) => e.type === 'grpc.call');
  return { echoed: headers.get('x-request-id'), recorded: event?.request?.id };
}

describe('grpc: the request id in the response metadata', () => {
  it("echoes the caller's request id", async () => {
    expect(await responseHeaders({}, 'given-1')).toEqual({ echoed: ['given-1'], recorded: 'given-1' });
  });

  it('echoes the id it made for a call that came without one', async () => {
    const { echoed, recorded } = await responseHeaders({});
    expect(recorded).toMatch(/^[0-9a-f-]{36}$/);
    expect(echoed).toEqual([recorded]);
  });

  it('sends none under echoRequestId: false, and uses requestIdHeader', async () => {
    expect((await responseHeaders({ echoRequestId: false }, 'given-2')).echoed).toEqual([]);
    const { logger } = memoryLogger();
    const svc = await startOrders({ logger, requestIdHeader: 'x-call-id' });
    const md = new grpc.Metadata();
    md.set('x-call-id', 'given-3');
    const headers = await new Promise<grpc.Metadata>((resolve) => {
      const call = svc.client.GetOrder({ id: '1' }, md, () => {});
      call.on('metadata', resolve);
    });
    expect(headers.get('x-call-id')).toEqual(['given-3']);
    await svc.close();
    await logger.close();
  });
});
