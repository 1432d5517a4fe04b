import { businessHours } from '../src';
import { anomalies, logAll } from './detect-helpers';
import { testLogger } from './helpers';

const at = (time: string, actor = 'night-owl', tenant?: string) => ({
  type: 'order.read',
  actor: { type: 'user' as const, id: actor },
  time,
  ...(tenant ? { tenant } : {}),
});

describe('business-hours rule', () => {
  it('fires for activity outside the hours in the configured zone, once per actor per cooldown', async () => {
    const { logger, sink } = testLogger({
      detect: {
        rules: [businessHours({ timezone: 'Europe/Berlin', start: '08:00', end: '18:00' })],
      },
    });
    await logAll(logger, [
      at('2026-03-04T07:30:00Z'), // Wednesday 08:30 in Berlin: inside
      at('2026-03-04T16:59:00Z'), // 17:59: inside
      at('2026-03-07T10:00:00Z', 'weekend-worker'), // Saturday: outside
      at('2026-03-04T17:00:00Z'), // 18:00 in Berlin: outside
      at('2026-03-04T17:05:00Z'), // outside again, same actor: cooldown
      { type: 'job.ran', actor: { type: 'service', id: 'cron' }, time: '2026-03-04T23:00:00Z' },
    ]);
    const found = anomalies(sink, 'off-hours-activity');
    expect(found.map((a) => a.resource?.id)).toEqual(['weekend-worker', 'night-owl']);
    expect(found[1]!.details!.evidence).toMatchObject({ localTime: 'Wed 18:00 Europe/Berlin' });
    await logger.close();
  });

  it('takes per-tenant hours and time zones', async () => {
    const { logger, sink } = testLogger({
      detect: {
        rules: [businessHours()],
        tenants: {
          tokyo: { 'off-hours-activity': { timezone: 'Asia/Tokyo', start: '09:00', end: '17:00' } },
        },
      },
    });
    // 02:00 UTC is 11:00 in Tokyo (inside there) and outside the default UTC hours.
    await logAll(logger, [
      at('2026-03-04T02:00:00Z', 'jp', 'tokyo'),
      at('2026-03-04T02:00:00Z', 'uk', 'london'),
    ]);
    expect(anomalies(sink).map((a) => a.resource?.id)).toEqual(['uk']);
    await logger.close();
  });

  it('refuses an unknown time zone or malformed hours at startup', () => {
    expect(() => businessHours({ timezone: 'Mars/Olympus' })).toThrow(/time zone/);
    expect(() => businessHours({ start: '8am' })).toThrow(/HH:MM/);
  });
});
