import { bruteForce } from '../src';
import { alertEvents, collectingChannel } from './alerts-helpers';
import { failedLogin, logAll, manualClock } from './detect-helpers';
import { testLogger } from './helpers';

describe('alert routing', () => {
  it('routes anomalies by kind and honours the cooldown per route and subject', async () => {
    const clock = manualClock();
    const oncall = collectingChannel('oncall');
    const { logger, sink } = testLogger({
      detect: { rules: [bruteForce({ maxFailuresPerActor: 1, cooldownMs: 0 })], now: clock.now },
      alerts: {
        channels: [oncall],
        routes: [{ name: 'auth', kinds: ['brute-force'], channels: ['oncall'], cooldownMs: 60_000 }],
      },
    });
    await logAll(logger, [
      failedLogin('a', '10.0.0.1'),
      failedLogin('a', '10.0.0.1'),
      failedLogin('b', '10.0.0.1'),
    ]);
    expect(oncall.received.map((n) => n.alerts[0]!.subject.id)).toEqual(['a', 'b']);
    clock.advance(61_000);
    await logAll(logger, [failedLogin('a', '10.0.0.1')]);
    expect(oncall.received).toHaveLength(3);
    expect(logger.stats().alerts).toMatchObject({ opened: 3, suppressedByCooldown: 1 });
    // Every alert is recorded, sealed, and points at its anomaly.
    const opened = alertEvents(sink, 'alert.opened');
    expect(opened).toHaveLength(3);
    const anomaly = sink.events.find((e) => e.id === oncall.received[0]!.alerts[0]!.eventId);
    expect(anomaly?.type).toBe('security.anomaly');
    expect(opened[0]!.details).toMatchObject({ route: 'auth', kind: 'brute-force', channels: ['oncall'] });
    expect(opened[0]!.integrity).toBeDefined();
    await logger.close();
  });

  it('routes any event that matches a filter, with a rate limit per subject', async () => {
    const clock = manualClock();
    const finance = collectingChannel('finance');
    const { logger } = testLogger({
      alerts: {
        now: clock.now,
        channels: [finance],
        routes: [
          {
            name: 'refunds',
            match: { types: ['payment.refund*'], minSeverity: 'warning' },
            channels: ['finance'],
            cooldownMs: 0,
            rateLimit: { max: 2, windowMs: 60_000 },
          },
        ],
      },
    });
    const refund = (actor: string, severity: 'info' | 'warning') => ({
      type: 'payment.refunded',
      severity,
      actor: { type: 'user' as const, id: actor },
      message: `refund by ${actor}`,
    });
    await logAll(logger, [
      refund('ivan', 'info'),
      refund('ivan', 'warning'),
      refund('ivan', 'warning'),
      refund('ivan', 'warning'),
      refund('jill', 'warning'),
    ]);
    expect(finance.received.map((n) => n.alerts[0]!.title)).toEqual([
      'refund by ivan',
      'refund by ivan',
      'refund by jill',
    ]);
    expect(finance.received[0]!.alerts[0]).toMatchObject({
      kind: 'payment.refunded',
      subject: { type: 'actor', id: 'ivan' },
    });
    expect(logger.stats().alerts).toMatchObject({ opened: 3, suppressedByRateLimit: 1 });
    clock.advance(61_000);
    await logAll(logger, [refund('ivan', 'warning')]);
    expect(finance.received).toHaveLength(4);
    await logger.close();
  });

  it('groups the alerts of one route within the grouping window into one notification', async () => {
    const team = collectingChannel('team');
    const { logger, sink } = testLogger({
      detect: { rules: [bruteForce({ maxFailuresPerActor: 1 })] },
      alerts: {
        channels: [team],
        routes: [{ name: 'auth', kinds: '*', channels: ['team'], groupWindowMs: 100 }],
      },
    });
    for (const u of ['k1', 'k2', 'k3']) logger.log(failedLogin(u, '10.0.0.2'));
    await new Promise((r) => setTimeout(r, 40));
    expect(team.received).toHaveLength(0); // still inside the grouping window
    await new Promise((r) => setTimeout(r, 120));
    expect(team.received).toHaveLength(1);
    expect(team.received[0]!.alerts.map((a) => a.subject.id)).toEqual(['k1', 'k2', 'k3']);
    expect(alertEvents(sink, 'alert.opened')).toHaveLength(3);
    expect(logger.stats().alerts!.grouped).toBe(1);
    await logger.close();
  });

  it('refuses routes naming unknown channels and routes with nothing to match', () => {
    const c = collectingChannel('c');
    expect(() =>
      testLogger({ alerts: { channels: [c], routes: [{ name: 'r', kinds: '*', channels: ['x'] }] } }),
    ).toThrow(/alerts\.routes\[0\]\.channels names no known channel: "x"/);
    expect(() => testLogger({ alerts: { channels: [c], routes: [{ name: 'r', channels: ['c'] }] } })).toThrow(
      /needs kinds or match/,
    );
  });
});
