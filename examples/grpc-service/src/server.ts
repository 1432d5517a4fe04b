import { createAuditLogger, fileSink } from '@auditkit/core';
import * as grpc from '@grpc/grpc-js';
import { createOrdersServer } from './service';

// The example stops itself on SIGTERM/SIGINT (flushing first), so the logger needs no signal hooks.
const logger = createAuditLogger({
  service: 'orders-grpc',
  sinks: [fileSink({ path: process.env.AUDIT_LOG ?? './audit-logs/audit.jsonl' })],
  flushOnSignals: [],
});
const host = process.env.HOST ?? '127.0.0.1';
const server = createOrdersServer({ logger });
server.bindAsync(
  `${host}:${process.env.PORT ?? 50051}`,
  grpc.ServerCredentials.createInsecure(),
  (error, port) => {
    if (error) throw error;
    console.log(`example gRPC service listening on ${host}:${port}`);
  },
);
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => server.tryShutdown(() => void logger.close()));
