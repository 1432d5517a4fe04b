import { rateSpike } from '../src';
import { anomalies, manualClock } from './detect-helpers';
import { testLogger } from './helpers';

const request = (actor: string) => ({
  type: 'http.request',
  category: 'api',
  actor: { type: 'user' as const, id: actor },
  request: { method: 'GET', path: '/orders', status: 200 },
});

describe('rate-spike rule', () => {
  it('fires when an actor far exceeds its own rolling baseline, not at its usual rate', async () => {
    const clock = manualClock(Date.parse('2026-03-04T12:00:00Z'));
    const { logger, sink } = testLogger({
      detect: {
        rules: [rateSpike({ bucketMs: 60_000, buckets: 10, factor: 4, minCount: 20, minHistory: 5 })],
        now: clock.now,
      },
    });
    // Ten minutes at 10 requests a minute: the baseline.
    for (let minute = 0; minute < 10; minute++) {
      for (let i = 0; i < 10; i++) logger.log(request('steady'));
      clock.advance(60_000);
    }
    // Another actor with a busy but constant rate never spikes.
    for (let i = 0; i < 35; i++) logger.log(request('busy-new'));
    await logger.flush();
    expect(anomalies(sink)).toHaveLength(0);
    for (let i = 0; i < 45; i++) logger.log(request('steady'));
    await logger.flush();
    const found = anomalies(sink, 'rate-spike');
    expect(found).toHaveLength(1);
    expect(found[0]!.details).toMatchObject({
      subject: { type: 'actor', id: 'steady' },
      evidence: { count: 41, baselinePerWindow: 10, factor: 4, historyWindows: 10, windowMs: 60_000 },
    });
    await logger.close();
  });
});
