import { bruteForce, createAuditLogger, memorySink } from '@auditkit/core';
import { redisDetectionStore } from '@auditkit/redis';
import { Redis } from 'ioredis';

describe('when Redis is unreachable', () => {
  it('records every event, counts the lost observations and reports them, without blocking log()', async () => {
    // Port 9 (discard) on loopback: nothing listens, every command fails fast.
    const client = new Redis({
      host: '127.0.0.1',
      port: 9,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    client.on('error', () => {});
    const errors: string[] = [];
    const sink = memorySink();
    const logger = createAuditLogger({
      service: 'orders',
      flushOnExit: false,
      batch: { maxWaitMs: 1 },
      sinks: [sink],
      onError: (e) => errors.push(`${e.kind}: ${e.message}`),
      detect: { rules: [bruteForce({ maxFailuresPerActor: 2 })], state: redisDetectionStore({ client }) },
    });
    const ids = [1, 2, 3].map(() =>
      logger.log({
        type: 'auth.login',
        action: 'login',
        outcome: 'failure',
        actor: { type: 'user', id: 'u', ip: '10.0.0.1' },
      }),
    );
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    await logger.flush();
    expect(sink.events.map((e) => e.id)).toEqual(ids);
    expect(logger.stats().detection).toMatchObject({ stateErrors: 3, fired: 0 });
    expect(errors[0]).toMatch(/^detect: detection state store "redis" failed; 3 observations lost/);
    expect(logger.health()).toMatchObject({ status: 'degraded' });
    expect(logger.health().reasons).toContain('3 detection observations lost to state store errors');
    await logger.close();
    client.disconnect();
  });
});
