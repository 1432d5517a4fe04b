import { join } from 'node:path';
import { type AuditLogger, audit } from '@auditkit/core';
import { auditServerInterceptor } from '@auditkit/grpc';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const definition = protoLoader.loadSync(join(__dirname, '..', 'proto', 'orders.proto'));
// biome-ignore lint/suspicious/noExplicitAny: grpc-js loads services as untyped constructors
const shop = (grpc.loadPackageDefinition(definition) as any).shop;

/** An orders service whose calls are audited, with the caller taken from `x-user-id` metadata. */
export function createOrdersServer(options: { logger?: AuditLogger } = {}): grpc.Server {
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
  server.addService(shop.Orders.service, {
    GetOrder: (
      call: grpc.ServerUnaryCall<{ id: string }, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) => {
      if (call.request.id === '0') return callback({ code: grpc.status.NOT_FOUND, details: 'no order 0' });
      audit.log({ type: 'order.viewed', resource: { type: 'order', id: call.request.id } });
      callback(null, { id: call.request.id, item: 'laptop' });
    },
  });
  return server;
}

/** A client for the service, for examples and tests. */
export function ordersClient(address: string, interceptors: grpc.Interceptor[] = []) {
  return new shop.Orders(address, grpc.credentials.createInsecure(), { interceptors });
}
