import { bruteForce } from '../src';
import { alertEvents, collectingChannel } from './alerts-helpers';
import { failedLogin, logAll } from './detect-helpers';
import { testLogger } from './helpers';

function setup() {
  const first = collectingChannel('first');
  const second = collectingChannel('second');
  const { logger, sink } = testLogger({
    detect: { rules: [bruteForce({ maxFailuresPerActor: 1 })] },
    alerts: {
      channels: [first, second],
      routes: [
        { name: 'auth', kinds: '*', channels: ['first'], escalate: { afterMs: 80, channels: ['second'] } },
      ],
    },
  });
  return { first, second, logger, sink };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('alert lifecycle', () => {
  it('escalates an alert nobody acknowledged, and records it', async () => {
    const { first, second, logger, sink } = setup();
    await logAll(logger, [failedLogin('lee', '10.0.0.3')]);
    expect(first.received).toHaveLength(1);
    const id = first.received[0]!.alerts[0]!.id;
    await wait(150);
    await logger.flush();
    await logger.alerts!.sent();
    expect(second.received).toHaveLength(1);
    expect(second.received[0]).toMatchObject({ reason: 'escalated', alerts: [{ id }] });
    expect(logger.alerts!.get(id)!.escalatedAt).toBeDefined();
    expect(alertEvents(sink, 'alert.escalated')[0]!.resource).toEqual({ type: 'alert', id });
    expect(logger.stats().alerts!.escalated).toBe(1);
    await logger.close();
  });

  it('records acknowledge and resolve by whom, and stops escalation', async () => {
    const { first, second, logger, sink } = setup();
    await logAll(logger, [failedLogin('mo', '10.0.0.4')]);
    const id = first.received[0]!.alerts[0]!.id;
    expect(logger.alerts!.list({ status: 'open' }).map((a) => a.id)).toEqual([id]);
    expect(await logger.alerts!.acknowledge(id, { by: 'sec-oncall', note: 'looking' })).toBe(true);
    expect(await logger.alerts!.acknowledge(id, { by: 'someone-else' })).toBe(false);
    await wait(150);
    expect(second.received).toHaveLength(0);
    expect(await logger.alerts!.resolve(id, { by: 'sec-lead' })).toBe(true);
    await logger.flush();
    expect(logger.alerts!.get(id)).toMatchObject({
      status: 'resolved',
      acknowledgedBy: 'sec-oncall',
      resolvedBy: 'sec-lead',
    });
    const ack = alertEvents(sink, 'alert.acknowledged');
    expect(ack).toHaveLength(1);
    expect(ack[0]).toMatchObject({
      actor: { type: 'user', id: 'sec-oncall' },
      resource: { type: 'alert', id },
      details: { status: 'acknowledged', note: 'looking', route: 'auth' },
    });
    expect(alertEvents(sink, 'alert.resolved')[0]!.actor.id).toBe('sec-lead');
    expect(alertEvents(sink).map((e) => e.type)).toEqual([
      'alert.opened',
      'alert.acknowledged',
      'alert.resolved',
    ]);
    await logger.close();
  });

  it('records a change to an alert another instance opened, and refuses a change without `by`', async () => {
    const { logger, sink } = setup();
    expect(await logger.alerts!.acknowledge('0190aaaa-0000-7000-8000-000000000001', { by: 'ops' })).toBe(
      true,
    );
    await logger.flush();
    expect(alertEvents(sink, 'alert.acknowledged')[0]!.resource!.id).toBe(
      '0190aaaa-0000-7000-8000-000000000001',
    );
    await expect(logger.alerts!.acknowledge('x', { by: '' })).rejects.toThrow(/needs `by`/);
    await expect(logger.alerts!.resolve('bad id with spaces', { by: 'ops' })).rejects.toThrow(/alert id/);
    await logger.close();
  });
});
