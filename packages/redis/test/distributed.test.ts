import { bruteForce, createAuditLogger, memorySink, webhookChannel } from '@auditkit/core';
import { createApp } from '@auditkit/example-express-app';
import { redisDetectionStore } from '@auditkit/redis';
import { startServer, startWebhookReceiver, testRedis } from '@auditkit/test-utils';

/** One "instance" of the service: its own logger, sink and Express app, sharing only Redis. */
async function instance(name: string, redis: Awaited<ReturnType<typeof testRedis>>, webhookUrl: string) {
  const sink = memorySink();
  const state = redisDetectionStore({ client: redis.connect(), prefix: redis.prefix });
  const logger = createAuditLogger({
    service: 'orders',
    instance: name,
    flushOnExit: false,
    batch: { maxWaitMs: 1 },
    sinks: [sink],
    detect: { rules: [bruteForce({ maxFailuresPerActor: 5, windowMs: 60_000 })], state },
    alerts: {
      channels: [webhookChannel({ url: webhookUrl, secret: 'fleet-secret' })],
      routes: [{ name: 'security', kinds: '*', channels: ['webhook'] }],
    },
  });
  const server = await startServer(createApp({ logger }));
  return { name, sink, logger, server };
}

describe('a fleet sharing one Redis', () => {
  it('catches a brute force split across two instances exactly once, and alerts once', async () => {
    const redis = await testRedis();
    const receiver = await startWebhookReceiver('fleet-secret');
    const a = await instance('orders-a', redis, receiver.url);
    const b = await instance('orders-b', redis, receiver.url);
    try {
      // 3 + 3 failures for one account: neither instance alone reaches 5.
      for (let i = 0; i < 6; i++) {
        const target = i % 2 === 0 ? a : b;
        const res = await fetch(`${target.server.url}/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'alice', password: `guess-${i}` }),
        });
        expect(res.status).toBe(401);
      }
      await Promise.all([a.logger.flush(), b.logger.flush()]);
      await Promise.all([a.logger.alerts!.sent(), b.logger.alerts!.sent()]);

      const all = [...a.sink.events, ...b.sink.events];
      const failures = all.filter((e) => e.type === 'auth.login' && e.outcome === 'failure');
      expect(a.sink.events.filter((e) => e.type === 'auth.login')).toHaveLength(3);
      expect(failures).toHaveLength(6);
      const found = all.filter((e) => e.type === 'security.anomaly');
      expect(found).toHaveLength(1);
      expect(found[0]!.details).toMatchObject({
        kind: 'brute-force',
        subject: { type: 'actor', id: 'alice' },
        evidence: { count: 5, threshold: 5 },
      });
      // The evidence names events from both instances.
      const samples = (found[0]!.details!.evidence as { sampleEventIds: string[] }).sampleEventIds;
      const from = (id: string) => (a.sink.events.some((e) => e.id === id) ? 'a' : 'b');
      expect(new Set(samples.map(from))).toEqual(new Set(['a', 'b']));

      const stats = [a.logger.stats().detection!, b.logger.stats().detection!];
      expect(stats[0]!.fired + stats[1]!.fired).toBe(1);
      expect(stats[0]!.suppressed + stats[1]!.suppressed).toBe(1);
      expect(stats[0]!.stateErrors + stats[1]!.stateErrors).toBe(0);

      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]!.signatureValid).toBe(true);
      expect(receiver.received[0]!.json).toMatchObject({
        reason: 'opened',
        alerts: [{ kind: 'brute-force', subject: { type: 'actor', id: 'alice' }, eventId: found[0]!.id }],
      });
    } finally {
      await Promise.all([a.server.close(), b.server.close()]);
      await Promise.all([a.logger.close(), b.logger.close()]);
      await receiver.close();
      await redis.cleanup();
    }
  });
});
