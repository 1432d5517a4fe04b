import { type AuditLoggerOptions, type AuditSink, type Batch, createAuditLogger, memorySink } from '../src';

/** A logger into a memory sink with fast batching and no process hooks. */
export function testLogger(options: AuditLoggerOptions = {}) {
  const sink = memorySink();
  const logger = createAuditLogger({
    service: 'svc',
    version: '1.2.3',
    instance: 'test-1',
    flushOnExit: false,
    batch: { maxWaitMs: 1 },
    sinks: [sink],
    ...options,
  });
  return { logger, sink };
}

/** A sink whose behaviour each test scripts: fail N times, hang, or record. */
export function scriptedSink(name: string, behaviour: (batch: Batch, call: number) => Promise<void> | void) {
  const received: Batch[] = [];
  let calls = 0;
  const sink: AuditSink & { received: Batch[]; readonly calls: number } = {
    name,
    received,
    get calls() {
      return calls;
    },
    write: (batch) => {
      calls++;
      const result = behaviour(batch, calls);
      return Promise.resolve(result).then(() => {
        received.push(batch);
      });
    },
    close: async () => {},
  };
  return sink;
}

export const fastRetry = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2, timeoutMs: 200 };
