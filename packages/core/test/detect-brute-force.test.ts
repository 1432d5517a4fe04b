import { bruteForce } from '../src';
import { anomalies, failedLogin, logAll, manualClock } from './detect-helpers';
import { testLogger } from './helpers';

describe('brute-force rule', () => {
  it('raises one sealed anomaly when one actor fails N times within the window, with its evidence', async () => {
    const clock = manualClock();
    const { logger, sink } = testLogger({
      detect: { rules: [bruteForce({ maxFailuresPerActor: 3, windowMs: 60_000 })], now: clock.now },
    });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(...(await logAll(logger, [failedLogin('alice', `10.0.0.${i}`)])));
      clock.advance(1000);
    }
    const found = anomalies(sink, 'brute-force');
    expect(found).toHaveLength(1);
    const [a] = found;
    expect(a!.category).toBe('security');
    expect(a!.severity).toBe('error');
    expect(a!.resource).toEqual({ type: 'actor', id: 'alice' });
    expect(a!.integrity?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a!.details).toMatchObject({
      kind: 'brute-force',
      subject: { type: 'actor', id: 'alice' },
      evidence: { count: 3, threshold: 3, windowMs: 60_000, sampleEventIds: ids.slice(0, 3) },
      triggeredBy: ids[2],
    });
    // The anomaly follows the event that caused it in the chain.
    const order = sink.events.map((e) => e.id);
    expect(order.indexOf(a!.id)).toBeGreaterThan(order.indexOf(ids[2]!));
    expect(logger.stats().detection).toMatchObject({ fired: 1, suppressed: 2 });
    await logger.close();
  });

  it('forgets failures older than the window', async () => {
    const clock = manualClock();
    const { logger, sink } = testLogger({
      detect: { rules: [bruteForce({ maxFailuresPerActor: 3, windowMs: 60_000 })], now: clock.now },
    });
    await logAll(logger, [failedLogin('bob', '10.0.0.1'), failedLogin('bob', '10.0.0.1')]);
    clock.advance(61_000);
    await logAll(logger, [failedLogin('bob', '10.0.0.1'), failedLogin('bob', '10.0.0.1')]);
    expect(anomalies(sink)).toHaveLength(0);
    await logAll(logger, [failedLogin('bob', '10.0.0.1')]);
    expect(anomalies(sink)).toHaveLength(1);
    await logger.close();
  });

  it('catches many failures from one IP across actors, with the higher IP threshold', async () => {
    const clock = manualClock();
    const { logger, sink } = testLogger({
      detect: {
        rules: [bruteForce({ maxFailuresPerActor: 100, maxFailuresPerIp: 4 })],
        now: clock.now,
      },
    });
    await logAll(
      logger,
      ['a', 'b', 'c', 'd'].map((u) => failedLogin(u, '203.0.113.9')),
    );
    const [a] = anomalies(sink);
    expect(a!.details).toMatchObject({ subject: { type: 'ip', id: '203.0.113.9' }, evidence: { count: 4 } });
    await logger.close();
  });

  it('fires again once the cooldown has passed, and ignores successes', async () => {
    const clock = manualClock();
    const { logger, sink } = testLogger({
      detect: {
        rules: [bruteForce({ maxFailuresPerActor: 2, windowMs: 600_000, cooldownMs: 60_000 })],
        now: clock.now,
      },
    });
    await logAll(logger, [
      { type: 'auth.login', action: 'login', actor: { type: 'user', id: 'carol', ip: '10.0.0.1' } },
      failedLogin('carol', '10.0.0.1'),
      failedLogin('carol', '10.0.0.1'),
      failedLogin('carol', '10.0.0.1'),
    ]);
    expect(anomalies(sink)).toHaveLength(1);
    clock.advance(61_000);
    await logAll(logger, [failedLogin('carol', '10.0.0.1')]);
    expect(anomalies(sink)).toHaveLength(2);
    await logger.close();
  });
});
