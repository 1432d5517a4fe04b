import { largeExport } from '../src';
import { anomalies, logAll, manualClock } from './detect-helpers';
import { testLogger } from './helpers';

const exported = (actor: string, details: Record<string, unknown>, bytesOut?: number) => ({
  type: 'order.exported',
  action: 'export',
  actor: { type: 'user' as const, id: actor },
  details,
  ...(bytesOut !== undefined ? { request: { bytesOut } } : {}),
});

describe('large-export rule', () => {
  it('fires on one export above the record or byte threshold', async () => {
    const { logger, sink } = testLogger({
      detect: { rules: [largeExport({ maxRecords: 1000, maxBytes: 1_000_000 })] },
    });
    await logAll(logger, [exported('u1', { records: 1000 }), exported('u2', { records: 10 }, 999_999)]);
    expect(anomalies(sink)).toHaveLength(0);
    const [big] = await logAll(logger, [exported('u3', { records: 1001 })]);
    await logAll(logger, [exported('u4', { format: 'csv' }, 2_000_000)]);
    const found = anomalies(sink, 'large-export');
    expect(found.map((a) => a.resource?.id)).toEqual(['u3', 'u4']);
    expect(found[0]!.message).toMatch(/1001 records in one export/);
    expect(found[0]!.details!.evidence).toMatchObject({ records: 1001, sampleEventIds: [big] });
    expect(found[1]!.details!.evidence).toMatchObject({ bytes: 2_000_000 });
    await logger.close();
  });

  it('fires when one actor exports more than the hourly total in small pieces', async () => {
    const clock = manualClock();
    const { logger, sink } = testLogger({
      detect: {
        rules: [largeExport({ maxRecords: 1000, maxRecordsPerWindow: 2500, windowMs: 3_600_000 })],
        now: clock.now,
      },
    });
    for (let i = 0; i < 3; i++) {
      await logAll(logger, [exported('slow', { records: 800 })]);
      clock.advance(10 * 60_000);
    }
    expect(anomalies(sink)).toHaveLength(0);
    await logAll(logger, [exported('slow', { records: 800 })]);
    const [a] = anomalies(sink);
    expect(a!.details!.evidence).toMatchObject({ recordsInWindow: 3200, count: 4 });
    // An hour later the window has emptied: the same pace is fine again (and the cooldown is per subject).
    clock.advance(4 * 3_600_000);
    await logAll(logger, [exported('slow', { records: 800 })]);
    expect(anomalies(sink)).toHaveLength(1);
    await logger.close();
  });
});
