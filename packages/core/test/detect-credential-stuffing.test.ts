import { credentialStuffing } from '../src';
import { anomalies, failedLogin, logAll, manualClock } from './detect-helpers';
import { testLogger } from './helpers';

describe('credential-stuffing rule', () => {
  it('fires when many distinct accounts fail from one IP, not when one account fails many times', async () => {
    const clock = manualClock();
    const { logger, sink } = testLogger({
      detect: { rules: [credentialStuffing({ distinctActors: 4, windowMs: 60_000 })], now: clock.now },
    });
    // One account hammered: one distinct actor however often.
    await logAll(
      logger,
      Array.from({ length: 10 }, () => failedLogin('root', '198.51.100.7')),
    );
    expect(anomalies(sink)).toHaveLength(0);
    const ids = await logAll(
      logger,
      ['ann', 'ben', 'cat'].map((u) => failedLogin(u, '198.51.100.7')),
    );
    const [a] = anomalies(sink, 'credential-stuffing');
    expect(a).toBeDefined();
    expect(anomalies(sink)).toHaveLength(1);
    expect(a!.resource).toEqual({ type: 'ip', id: '198.51.100.7' });
    expect(a!.details!.evidence).toMatchObject({ count: 4, threshold: 4, windowMs: 60_000 });
    expect((a!.details!.evidence as { sampleEventIds: string[] }).sampleEventIds).toContain(ids[2]);
    await logger.close();
  });

  it('counts per IP: the same accounts spread over IPs are not stuffing from one', async () => {
    const { logger, sink } = testLogger({
      detect: { rules: [credentialStuffing({ distinctActors: 3 })] },
    });
    await logAll(logger, [
      failedLogin('ann', '10.0.0.1'),
      failedLogin('ben', '10.0.0.2'),
      failedLogin('cat', '10.0.0.3'),
    ]);
    expect(anomalies(sink)).toHaveLength(0);
    await logger.close();
  });
});
