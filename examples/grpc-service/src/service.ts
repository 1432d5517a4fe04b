import { join } from 'node:path';
import { type AuditLogger, audit } from '@auditkit/core';
import { auditServerInterceptor } from '@auditkit/grpc';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const definition = protoLoader.loadSync(join(__dirname, '..', 'proto', 'orders.proto'));
// biome-ignore lint/suspicious/noExplicitAny: grpc-js loads services as untyped constructors
const shop = (grpc.loadPackageDefinition(definition) as any).shop;

export interface Order {
  id: string;
  item: string;
}

/** An orders service whose calls are audited, with the caller taken from `x-user-id` metadata. */
export function createOrdersServer(options: { logger?: AuditLogger } = {}): grpc.Server {
  const orders = new Map<string, Order>([['1', { id: '1', item: 'laptop' }]]);
  const server = new grpc.Server({
    interceptors: [
      auditServerInterceptor({
        logger: options.logger,
        exclude: ['/grpc.health.v1.Health/Check'],
        actor: (call) => {
          const id = call.metadata.get('x-user-id')[0];
          return typeof id === 'string' ? { type: 'user', id } : undefined;
        },
      }),
    ],
  });
  const add = (order: Order) => {
    orders.set(order.id, order);
    audit.log({ type: 'order.created', action: 'create', resource: { type: 'order', id: order.id } });
  };
  server.addService(shop.Orders.service, {
    // Unary: one order, NOT_FOUND for an unknown id.
    GetOrder: (call: grpc.ServerUnaryCall<{ id: string }, Order>, callback: grpc.sendUnaryData<Order>) => {
      const order = orders.get(call.request.id);
      if (!order) return callback({ code: grpc.status.NOT_FOUND, details: `no order ${call.request.id}` });
      audit.log({ type: 'order.viewed', resource: { type: 'order', id: order.id } });
      callback(null, order);
    },
    // Server stream: up to `count` orders (all when 0).
    ListOrders: (call: grpc.ServerWritableStream<{ count: number }, Order>) => {
      const all = [...orders.values()];
      for (const order of call.request.count > 0 ? all.slice(0, call.request.count) : all) call.write(order);
      call.end();
    },
    // Client stream: many orders in, one summary out.
    AddOrders: (
      call: grpc.ServerReadableStream<Order, { count: number }>,
      callback: grpc.sendUnaryData<{ count: number }>,
    ) => {
      let count = 0;
      call.on('data', (order: Order) => {
        add(order);
        count++;
      });
      call.on('end', () => callback(null, { count }));
    },
    // Bidirectional: each order in is stored and sent back as stored.
    Sync: (call: grpc.ServerDuplexStream<Order, Order>) => {
      call.on('data', (order: Order) => {
        add(order);
        call.write(orders.get(order.id)!);
      });
      call.on('end', () => call.end());
    },
  });
  return server;
}

/** A client for the service, for the example client and tests. */
export function ordersClient(address: string, interceptors: grpc.Interceptor[] = []) {
  return new shop.Orders(address, grpc.credentials.createInsecure(), { interceptors });
}
