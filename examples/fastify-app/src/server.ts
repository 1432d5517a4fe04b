import { createAuditLogger, fileSink } from '@auditkit/core';
import { createApp } from './app';

// The example stops itself on SIGTERM/SIGINT (flushing first), so the logger needs no signal hooks.
const logger = createAuditLogger({
  service: 'orders-fastify',
  sinks: [fileSink({ path: process.env.AUDIT_LOG ?? './audit-logs/audit.jsonl' })],
  flushOnSignals: [],
});
createApp({ logger }).then(async (app) => {
  const address = await app.listen({
    port: Number(process.env.PORT ?? 3001),
    host: process.env.HOST ?? '127.0.0.1',
  });
  console.log(`example Fastify app listening on ${address}`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => void app.close().then(() => logger.close()));
});
