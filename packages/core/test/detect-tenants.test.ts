import { bruteForce, largeExport } from '../src';
import { anomalies, failedLogin, logAll } from './detect-helpers';
import { testLogger } from './helpers';

describe('per-tenant thresholds', () => {
  it('applies a tenant override, keeps the defaults elsewhere and turns rules off per tenant', async () => {
    const { logger, sink } = testLogger({
      detect: {
        rules: [bruteForce({ maxFailuresPerActor: 5 }), largeExport({ maxRecords: 100 })],
        tenants: {
          strict: { 'brute-force': { maxFailuresPerActor: 2 } },
          bulk: { 'large-export': false },
        },
      },
    });
    const fail = (tenant: string) => failedLogin(`user-${tenant}`, '10.1.1.1', { tenant });
    await logAll(logger, [fail('strict'), fail('strict'), fail('relaxed'), fail('relaxed')]);
    expect(anomalies(sink).map((a) => a.tenant)).toEqual(['strict']);
    const big = (tenant: string) => ({
      type: 'report.exported',
      action: 'export',
      tenant,
      actor: { type: 'user' as const, id: 'x' },
      details: { records: 5000 },
    });
    await logAll(logger, [big('bulk'), big('strict')]);
    expect(anomalies(sink, 'large-export').map((a) => a.tenant)).toEqual(['strict']);
    await logger.close();
  });

  it('keeps state apart per tenant: the same actor id in two tenants is two subjects', async () => {
    const { logger, sink } = testLogger({ detect: { rules: [bruteForce({ maxFailuresPerActor: 3 })] } });
    await logAll(logger, [
      failedLogin('admin', '10.0.0.1', { tenant: 'a' }),
      failedLogin('admin', '10.0.0.1', { tenant: 'b' }),
      failedLogin('admin', '10.0.0.1', { tenant: 'a' }),
      failedLogin('admin', '10.0.0.1', { tenant: 'b' }),
    ]);
    expect(anomalies(sink)).toHaveLength(0);
    await logger.close();
  });

  it('refuses overrides naming an unknown rule or threshold at startup', () => {
    const make = (tenants: Record<string, Record<string, Record<string, unknown> | false>>) =>
      testLogger({ detect: { rules: [bruteForce()], tenants } });
    expect(() => make({ t: { 'no-such-rule': {} } })).toThrow(/no rule named "no-such-rule"/);
    expect(() => make({ t: { 'brute-force': { maxFailures: 3 } } })).toThrow(/no threshold "maxFailures"/);
    expect(() => make({ t: { 'brute-force': { windowMs: -1 } } })).toThrow(/windowMs must be/);
  });
});
