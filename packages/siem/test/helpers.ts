import { type AuditError, type AuditLogger, type AuditSink, createAuditLogger } from '@auditkit/core';

/** A real pipeline into `sink`, with fast batching and retries, collecting reported problems. */
export function pipelineInto(sink: AuditSink, attempts = 4): { logger: AuditLogger; errors: AuditError[] } {
  const errors: AuditError[] = [];
  const logger = createAuditLogger({
    service: 'orders',
    version: '2.1.0',
    environment: 'test',
    instance: 'orders-1',
    flushOnExit: false,
    batch: { maxWaitMs: 1 },
    retry: { attempts, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5000 },
    sinks: [sink],
    onError: (e) => errors.push(e),
  });
  return { logger, errors };
}

/** Logs `n` distinct order events and returns their ids. */
export function logOrders(logger: AuditLogger, n: number, extra: Record<string, unknown> = {}): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = logger.log({
      type: 'order.created',
      actor: { type: 'user', id: `u-${i % 3}` },
      tenant: 'acme',
      resource: { type: 'order', id: `ord-${i}` },
      details: { amount: i, ...extra },
    });
    if (id) ids.push(id);
  }
  return ids;
}
