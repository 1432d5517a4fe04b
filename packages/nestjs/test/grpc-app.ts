import 'reflect-metadata';
import { createServer } from 'node:net';
import { audit } from '@auditkit/core';
import { AuditAction, AuditModule, type NestAuditOptions } from '@auditkit/nestjs';
import { ORDERS_PROTO } from '@auditkit/test-utils';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GrpcMethod, type MicroserviceOptions, RpcException, Transport } from '@nestjs/microservices';
import { from, type Observable } from 'rxjs';

type Order = { id: string; item: string };

@Controller()
class OrdersController {
  @GrpcMethod('Orders', 'GetOrder')
  @AuditAction({
    type: 'order.read',
    action: 'read',
    resource: { type: 'order', id: (req) => (req.body as Order).id },
  })
  async getOrder(data: { id: string }): Promise<Order> {
    await new Promise((r) => setTimeout(r, Math.random() * 5));
    if (data.id === 'missing')
      throw new RpcException({ code: grpc.status.NOT_FOUND, message: 'no such order' });
    if (data.id === 'crash') throw new Error('database down');
    audit.log({ type: 'order.viewed', resource: { type: 'order', id: data.id } });
    return { id: data.id, item: 'laptop' };
  }

  @GrpcMethod('Orders', 'ListOrders')
  listOrders(data: { count: number }): Observable<Order> {
    return from(Array.from({ length: data.count }, (_, i) => ({ id: String(i), item: 'x' })));
  }
}

/** A free loopback port: Nest's gRPC transport does not report the port it bound for `:0`. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// biome-ignore lint/suspicious/noExplicitAny: grpc-js loads services as untyped constructors
const shop = (grpc.loadPackageDefinition(protoLoader.loadSync(ORDERS_PROTO)) as any).shop;

/** A real Nest gRPC microservice on loopback with the audit module, and a grpc-js client for it. */
export async function startNestGrpc(options: NestAuditOptions) {
  @Module({ imports: [AuditModule.forRoot(options)], controllers: [OrdersController] })
  class AppModule {}
  const url = `127.0.0.1:${await freePort()}`;
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(AppModule, {
    transport: Transport.GRPC,
    options: { package: 'shop', protoPath: ORDERS_PROTO, url },
    logger: false,
  });
  await app.listen();
  const client = new shop.Orders(url, grpc.credentials.createInsecure());
  const unary = (request: object, metadata = new grpc.Metadata()) =>
    new Promise<{ error?: grpc.ServiceError; response?: Order }>((resolve) =>
      client.GetOrder(request, metadata, (error: grpc.ServiceError | null, response: Order) =>
        resolve({ error: error ?? undefined, response }),
      ),
    );
  const list = (count: number) =>
    new Promise<Order[]>((resolve, reject) => {
      const out: Order[] = [];
      const stream = client.ListOrders({ count });
      stream.on('data', (o: Order) => out.push(o));
      stream.on('end', () => resolve(out));
      stream.on('error', reject);
    });
  return {
    unary,
    list,
    async close() {
      client.close();
      await app.close();
    },
  };
}
