import { createAuditLogger, fileSink } from '@auditkit/core';
import { createApp } from './app';

// The example stops itself on SIGTERM/SIGINT (flushing first), so the logger needs no signal hooks.
const logger = createAuditLogger({
  service: 'users-nest',
  sinks: [fileSink({ path: process.env.AUDIT_LOG ?? './audit-logs/audit.jsonl' })],
  flushOnSignals: [],
});
createApp({ logger }).then(async (app) => {
  // Loopback by default: an example should not be reachable from the network unless asked (HOST=0.0.0.0).
  const host = process.env.HOST ?? '127.0.0.1';
  await app.listen(Number(process.env.PORT ?? 3002), host);
  const { port } = app.getHttpServer().address() as { port: number };
  console.log(`example Nest app listening on http://${host}:${port}`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => void app.close().then(() => logger.close()));
});
