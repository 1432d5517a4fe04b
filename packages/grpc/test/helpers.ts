import { audit } from '@auditkit/core';
import { auditClientInterceptor, auditServerInterceptor, type GrpcAuditOptions } from '@auditkit/grpc';
import { ORDERS_PROTO } from '@auditkit/test-utils';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const definition = protoLoader.loadSync(ORDERS_PROTO);
// biome-ignore lint/suspicious/noExplicitAny: grpc-js loads services as untyped constructors
const shop = (grpc.loadPackageDefinition(definition) as any).shop;

type Order = { id: string; item: string };

/** A real gRPC server on an ephemeral loopback port, with the audit interceptor, and a client. */
export async function startOrders(options: GrpcAuditOptions) {
  /** The caller's address of each GetOrder call, as grpc-js's own `call.getPeer()` names it. */
  const peers: string[] = [];
  const server = new grpc.Server({ interceptors: [auditServerInterceptor(options)] });
  server.addService(shop.Orders.service, {
    GetOrder: (call: grpc.ServerUnaryCall<{ id: string }, Order>, callback: grpc.sendUnaryData<Order>) => {
      peers.push(call.getPeer());
      const delay = call.request.id === 'slow' ? 300 : Math.random() * 5;
      setTimeout(() => {
        if (call.cancelled) return;
        if (call.request.id === 'missing')
          return callback({ code: grpc.status.NOT_FOUND, details: 'no such order' });
        if (call.request.id === 'crash') return callback(new Error('database down'));
        audit.log({ type: 'order.viewed', resource: { type: 'order', id: call.request.id } });
        callback(null, { id: call.request.id, item: 'laptop' });
      }, delay);
    },
    ListOrders: (call: grpc.ServerWritableStream<{ count: number }, Order>) => {
      if (call.request.count < 0) {
        // A feed that runs until the client goes away.
        let i = 0;
        const feed = setInterval(() => {
          if (call.cancelled) clearInterval(feed);
          else call.write({ id: String(i++), item: 'feed' });
        }, 10);
        return;
      }
      for (let i = 0; i < call.request.count; i++) call.write({ id: String(i), item: 'x' });
      call.end();
    },
    AddOrders: (
      call: grpc.ServerReadableStream<Order, { count: number }>,
      callback: grpc.sendUnaryData<{ count: number }>,
    ) => {
      let n = 0;
      call.on('data', () => n++);
      call.on('end', () => callback(null, { count: n }));
    },
    Sync: (call: grpc.ServerDuplexStream<Order, Order>) => {
      call.on('data', (o: Order) => call.write(o));
      call.on('end', () => call.end());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  const client = new shop.Orders(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    interceptors: [auditClientInterceptor()],
  });
  const unary = (method: string, request: object, metadata = new grpc.Metadata()) =>
    new Promise<{ error?: grpc.ServiceError; response?: unknown }>((resolve) =>
      client[method](request, metadata, (error: grpc.ServiceError | null, response: unknown) =>
        resolve({ error: error ?? undefined, response }),
      ),
    );
  return {
    port,
    client,
    unary,
    peers,
    async close() {
      client.close();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    },
  };
}
