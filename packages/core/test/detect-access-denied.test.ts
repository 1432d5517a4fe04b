import { accessDeniedBurst } from '../src';
import { anomalies, logAll, manualClock } from './detect-helpers';
import { testLogger } from './helpers';

const denied = (actor: string, requestId: string) => [
  // What an adapter records for one denied request: the business event and the 403 response.
  {
    type: 'access.denied',
    category: 'authorization',
    outcome: 'failure' as const,
    actor: { type: 'user' as const, id: actor },
    request: { id: requestId, method: 'DELETE', path: '/orders/1' },
  },
  {
    type: 'http.request',
    category: 'api',
    outcome: 'failure' as const,
    actor: { type: 'user' as const, id: actor },
    request: { id: requestId, method: 'DELETE', path: '/orders/1', status: 403 },
  },
];

describe('access-denied burst rule', () => {
  it('counts each denied request once and fires at the threshold', async () => {
    const clock = manualClock();
    const { logger, sink } = testLogger({
      detect: { rules: [accessDeniedBurst({ threshold: 3, windowMs: 10_000 })], now: clock.now },
    });
    await logAll(logger, [...denied('mallory', 'r1'), ...denied('mallory', 'r2')]);
    expect(anomalies(sink)).toHaveLength(0);
    await logAll(logger, denied('mallory', 'r3'));
    const found = anomalies(sink, 'access-denied-burst');
    expect(found).toHaveLength(1);
    expect(found[0]!.details).toMatchObject({
      subject: { type: 'actor', id: 'mallory' },
      evidence: { count: 3, threshold: 3, windowMs: 10_000 },
    });
    await logger.close();
  });

  it('does not fire for a burst spread wider than the window, nor for successes', async () => {
    const clock = manualClock();
    const { logger, sink } = testLogger({
      detect: { rules: [accessDeniedBurst({ threshold: 3, windowMs: 10_000 })], now: clock.now },
    });
    for (let i = 0; i < 5; i++) {
      await logAll(logger, [
        ...denied('eve', `r${i}`),
        { type: 'order.read', actor: { type: 'user', id: 'eve' }, request: { status: 200 } },
      ]);
      clock.advance(6000);
    }
    expect(anomalies(sink)).toHaveLength(0);
    await logger.close();
  });
});
