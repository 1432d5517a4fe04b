import type { DetectionRule } from '../src';
import { anomalies, failedLogin, logAll } from './detect-helpers';
import { testLogger } from './helpers';

/** A rule that sees an anomaly in every event it is shown, with no cooldown: any feedback loop would explode. */
const everything: DetectionRule = {
  name: 'everything',
  thresholds: { cooldownMs: 0 },
  observe: () => [],
  decide: (e) => ({
    subject: { type: 'event', id: e.id },
    message: `saw ${e.type}`,
    evidence: { sampleEventIds: [e.id] },
  }),
};

describe('the detect stage', () => {
  it('never re-triggers on its own anomaly and alert events', async () => {
    const { logger, sink } = testLogger({
      detect: { rules: [everything] },
      alerts: {
        channels: [{ name: 'sink', send: async () => {} }],
        routes: [{ name: 'all', kinds: '*', channels: ['sink'], cooldownMs: 0 }],
      },
    });
    await logAll(logger, [{ type: 'a.one' }, { type: 'a.two' }, { type: 'a.three' }]);
    await new Promise((r) => setTimeout(r, 20));
    await logger.flush();
    expect(anomalies(sink).map((e) => e.message)).toEqual(['saw a.one', 'saw a.two', 'saw a.three']);
    expect(sink.events.filter((e) => e.type === 'alert.opened')).toHaveLength(3);
    expect(logger.stats().detection).toMatchObject({ observed: 3, fired: 3 });
    await logger.close();
  });

  it('keeps log() synchronous and recording when a rule throws; the error is counted and reported', async () => {
    const errors: string[] = [];
    const broken: DetectionRule = {
      name: 'broken',
      thresholds: {},
      observe: () => {
        throw new Error('rule bug');
      },
      decide: () => undefined,
    };
    const { logger, sink } = testLogger({
      detect: { rules: [broken] },
      onError: (e) => errors.push(`${e.kind}: ${e.message}`),
    });
    const id = logger.log({ type: 'order.created' });
    expect(typeof id).toBe('string');
    await logger.flush();
    expect(sink.events.map((e) => e.id)).toEqual([id]);
    expect(logger.stats().detection!.ruleErrors).toBe(1);
    expect(errors).toEqual(['detect: detection rule "broken" threw: rule bug']);
    expect(logger.health()).toMatchObject({ status: 'degraded', reasons: ['1 detection rule errors'] });
    await logger.close();
  });

  it('runs every built-in rule with `detect: true`, and records anomalies raised just before close()', async () => {
    const { logger, sink } = testLogger({ detect: true });
    for (let i = 0; i < 5; i++) logger.log(failedLogin('zoe', '10.9.9.9'));
    await logger.close();
    expect(anomalies(sink, 'brute-force')).toHaveLength(1);
    expect(Object.keys(logger.stats().detection!.rules)).toEqual([
      'brute-force',
      'credential-stuffing',
      'access-denied-burst',
      'large-export',
      'rate-spike',
      'first-seen-ip',
      'privilege-escalation',
    ]);
  });

  it('adds nothing to stats when detection is off, and refuses a malformed rule at startup', async () => {
    const { logger } = testLogger();
    expect(logger.stats().detection).toBeUndefined();
    expect(logger.alerts).toBeUndefined();
    await logger.close();
    expect(() => testLogger({ detect: { rules: [{ name: 'x' } as unknown as DetectionRule] } })).toThrow(
      /observe\(\) and decide\(\)/,
    );
    expect(() => testLogger({ detect: { rules: [everything, everything] } })).toThrow(/unique/);
  });
});
