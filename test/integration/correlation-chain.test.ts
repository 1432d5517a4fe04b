import { audit, getContext } from '@auditkit/core';
import { auditMiddleware } from '@auditkit/express';
import { auditPlugin } from '@auditkit/fastify';
import { auditClientInterceptor, auditServerInterceptor } from '@auditkit/grpc';
import { memoryLogger, ORDERS_PROTO, startServer } from '@auditkit/test-utils';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import express from 'express';
import Fastify from 'fastify';

const definition = protoLoader.loadSync(ORDERS_PROTO);
// biome-ignore lint/suspicious/noExplicitAny: grpc-js loads services as untyped constructors
const shop = (grpc.loadPackageDefinition(definition) as any).shop;

describe('one correlation id across Express → gRPC → Fastify', () => {
  it('every event of all three services carries the id the first request arrived with', async () => {
    // Service C: Fastify, answers stock lookups.
    const c = memoryLogger({ service: 'stock' });
    const stock = Fastify();
    await stock.register(auditPlugin, { logger: c.logger });
    stock.get('/stock/:id', async () => {
      audit.log({ type: 'stock.checked' });
      return { available: 3 };
    });
    await stock.listen({ port: 0, host: '127.0.0.1' });
    const stockUrl = `http://127.0.0.1:${(stock.server.address() as { port: number }).port}`;

    // Service B: gRPC, asks C over HTTP, passing its context on as headers.
    const b = memoryLogger({ service: 'orders' });
    const server = new grpc.Server({ interceptors: [auditServerInterceptor({ logger: b.logger })] });
    server.addService(shop.Orders.service, {
      GetOrder: (
        call: grpc.ServerUnaryCall<{ id: string }, unknown>,
        callback: grpc.sendUnaryData<unknown>,
      ) => {
        audit.log({ type: 'order.loaded', resource: { type: 'order', id: call.request.id } });
        const ctx = getContext();
        fetch(`${stockUrl}/stock/${call.request.id}`, {
          headers: { 'x-correlation-id': ctx!.correlationId! },
        })
          .then((r) => r.json())
          .then(() => callback(null, { id: call.request.id, item: 'laptop' }), callback);
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    const orders = new shop.Orders(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      interceptors: [auditClientInterceptor()],
    });

    // Service A: Express, the edge; calls B over gRPC.
    const a = memoryLogger({ service: 'edge' });
    const app = express();
    app.use(auditMiddleware({ logger: a.logger }));
    app.get('/orders/:id', (req, res) => {
      orders.GetOrder({ id: req.params.id }, (error: Error | null, order: unknown) =>
        error ? res.status(502).end() : res.json(order),
      );
    });
    const edge = await startServer(app);

    const res = await fetch(`${edge.url}/orders/9`, { headers: { 'x-request-id': 'chain-1' } });
    expect(res.status).toBe(200);

    await edge.close();
    orders.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    await stock.close();
    for (const s of [a, b, c]) await s.logger.close();

    const events = [...a.sink.events, ...b.sink.events, ...c.sink.events];
    expect(events.map((e) => `${e.source.service}:${e.type}`).sort()).toEqual([
      'edge:http.request',
      'orders:grpc.call',
      'orders:order.loaded',
      'stock:http.request',
      'stock:stock.checked',
    ]);
    for (const e of events) expect(e.correlationId).toBe('chain-1');
  });
});
