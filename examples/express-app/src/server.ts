import type { AddressInfo } from 'node:net';
import { createAuditLogger, fileSink } from '@auditkit/core';
import { createApp } from './app';

// The example stops itself on SIGTERM/SIGINT (flushing first), so the logger needs no signal hooks.
const logger = createAuditLogger({
  service: 'orders-express',
  sinks: [fileSink({ path: process.env.AUDIT_LOG ?? './audit-logs/audit.jsonl' })],
  flushOnSignals: [],
});
const host = process.env.HOST ?? '127.0.0.1';
const server = createApp({ logger }).listen(Number(process.env.PORT ?? 3000), host, () => {
  console.log(`example Express app listening on http://${host}:${(server.address() as AddressInfo).port}`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => server.close(() => void logger.close()));
