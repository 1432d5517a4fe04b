import * as grpc from '@grpc/grpc-js';
import { type Order, ordersClient } from './service';

/** Calls each of the four RPCs of orders.proto once, as user `u-ann`, and prints what came back. */
async function main(address: string): Promise<void> {
  const client = ordersClient(address);
  const metadata = new grpc.Metadata();
  metadata.set('x-user-id', 'u-ann');

  const one = await new Promise<Order>((resolve, reject) =>
    client.GetOrder({ id: '1' }, metadata, (error: grpc.ServiceError | null, order: Order) =>
      error ? reject(error) : resolve(order),
    ),
  );
  console.log('GetOrder   ', JSON.stringify(one));

  const summary = await new Promise<{ count: number }>((resolve, reject) => {
    const call = client.AddOrders(metadata, (error: grpc.ServiceError | null, reply: { count: number }) =>
      error ? reject(error) : resolve(reply),
    );
    call.write({ id: '2', item: 'monitor' });
    call.write({ id: '3', item: 'keyboard' });
    call.end();
  });
  console.log('AddOrders  ', JSON.stringify(summary));

  const listed: Order[] = [];
  await new Promise<void>((resolve, reject) => {
    const call = client.ListOrders({ count: 0 }, metadata);
    call.on('data', (order: Order) => listed.push(order));
    call.on('end', resolve);
    call.on('error', reject);
  });
  console.log('ListOrders ', JSON.stringify(listed));

  const synced: Order[] = [];
  await new Promise<void>((resolve, reject) => {
    const call = client.Sync(metadata);
    call.on('data', (order: Order) => synced.push(order));
    call.on('end', resolve);
    call.on('error', reject);
    call.write({ id: '4', item: 'mouse' });
    call.end();
  });
  console.log('Sync       ', JSON.stringify(synced));

  const missing = await new Promise<grpc.ServiceError | null>((resolve) =>
    client.GetOrder({ id: '99' }, metadata, (error: grpc.ServiceError | null) => resolve(error)),
  );
  console.log('GetOrder 99', missing ? `${grpc.status[missing.code]}: ${missing.details}` : 'found');
  client.close();
}

main(process.env.ADDRESS ?? `127.0.0.1:${process.env.PORT ?? 50051}`).catch((error: Error) => {
  console.error(`client: ${error.message}`);
  process.exitCode = 1;
});
