import { privilegeEscalation } from '../src';
import { anomalies, logAll, manualClock } from './detect-helpers';
import { testLogger } from './helpers';

describe('privilege-escalation rule', () => {
  it('fires when a user whose privileges changed exports within the window', async () => {
    const clock = manualClock();
    const { logger, sink } = testLogger({
      detect: { rules: [privilegeEscalation({ windowMs: 600_000 })], now: clock.now },
    });
    // Before any change, sensitive access is ordinary.
    await logAll(logger, [
      { type: 'order.exported', action: 'export', actor: { type: 'user', id: 'frank' } },
    ]);
    const [grant] = await logAll(logger, [
      {
        type: 'user.role.granted',
        category: 'admin',
        actor: { type: 'user', id: 'admin-1' },
        resource: { type: 'user', id: 'frank' },
        changes: { before: { roles: ['clerk'] }, after: { roles: ['clerk', 'admin'] } },
      },
    ]);
    clock.advance(60_000);
    // Someone else's sensitive access is not linked to frank's grant.
    await logAll(logger, [{ type: 'order.deleted', action: 'delete', actor: { type: 'user', id: 'gina' } }]);
    expect(anomalies(sink)).toHaveLength(0);
    const [exp] = await logAll(logger, [
      { type: 'order.exported', action: 'export', actor: { type: 'user', id: 'frank' } },
    ]);
    const found = anomalies(sink, 'privilege-escalation');
    expect(found).toHaveLength(1);
    expect(found[0]!.details).toMatchObject({
      subject: { type: 'actor', id: 'frank' },
      evidence: { privilegeChangeEventIds: [grant], sampleEventIds: [grant, exp] },
    });
    await logger.close();
  });

  it('lets the window close, and takes custom privilege types and sensitive filters', async () => {
    const clock = manualClock();
    const { logger, sink } = testLogger({
      detect: {
        rules: [
          privilegeEscalation({
            windowMs: 60_000,
            privilegeTypes: ['iam.sudo'],
            sensitive: { types: ['payroll.*'] },
          }),
        ],
        now: clock.now,
      },
    });
    await logAll(logger, [{ type: 'iam.sudo', actor: { type: 'user', id: 'hal' } }]);
    clock.advance(61_000);
    await logAll(logger, [{ type: 'payroll.viewed', actor: { type: 'user', id: 'hal' } }]);
    expect(anomalies(sink)).toHaveLength(0);
    await logAll(logger, [
      { type: 'iam.sudo', actor: { type: 'user', id: 'hal' } },
      { type: 'order.exported', action: 'export', actor: { type: 'user', id: 'hal' } },
      { type: 'payroll.viewed', actor: { type: 'user', id: 'hal' } },
    ]);
    expect(anomalies(sink)).toHaveLength(1);
    await logger.close();
  });
});
