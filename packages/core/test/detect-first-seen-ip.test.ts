import { firstSeenIp } from '../src';
import { anomalies, logAll } from './detect-helpers';
import { testLogger } from './helpers';

const act = (actor: string, ip: string, outcome: 'success' | 'failure' = 'success') => ({
  type: 'order.read',
  outcome,
  actor: { type: 'user' as const, id: actor, ip },
});

describe('first-seen-ip rule', () => {
  it('learns the first IP silently, then flags each new one once', async () => {
    const { logger, sink } = testLogger({ detect: { rules: [firstSeenIp()] } });
    await logAll(logger, [act('dana', '10.0.0.1'), act('dana', '10.0.0.1'), act('ed', '10.0.0.9')]);
    expect(anomalies(sink)).toHaveLength(0);
    const [fromNew] = await logAll(logger, [act('dana', '192.0.2.44'), act('dana', '192.0.2.44')]);
    // A failure from a new IP is not "activity" from it.
    await logAll(logger, [act('dana', '192.0.2.99', 'failure')]);
    const found = anomalies(sink, 'first-seen-ip');
    expect(found).toHaveLength(1);
    expect(found[0]!.details).toMatchObject({
      subject: { type: 'actor', id: 'dana' },
      evidence: { ip: '192.0.2.44', knownIps: 1, sampleEventIds: [fromNew] },
    });
    await logger.close();
  });
});
