import { createOrdersServer, ordersClient } from '@auditkit/example-grpc-service';
import { memoryLogger } from '@auditkit/test-utils';
import * as grpc from '@grpc/grpc-js';

describe('examples/grpc-service', () => {
  it('audits its calls with the caller from metadata, as its README says', async () => {
    const { logger, sink } = memoryLogger();
    const server = createOrdersServer({ logger });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    const client = ordersClient(`127.0.0.1:${port}`);
    const md = new grpc.Metadata();
    md.set('x-user-id', 'u-5');
    const get = (id: string) =>
      new Promise((resolve) => client.GetOrder({ id }, md, (e: unknown, r: unknown) => resolve(e ?? r)));
    expect(await get('1')).toEqual({ id: '1', item: 'laptop' });
    expect(await get('0')).toMatchObject({ code: grpc.status.NOT_FOUND });
    client.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    await logger.close();
    expect(sink.events.map((e) => `${e.type}:${e.outcome}`).sort()).toEqual([
      'grpc.call:failure',
      'grpc.call:success',
      'order.viewed:success',
    ]);
    expect(sink.events.every((e) => e.actor.id === 'u-5')).toBe(true);
  });
});
