import { startHangingReceiver } from '@auditkit/test-utils';
import { bruteForce, webhookChannel } from '../src';
import { failedLogin } from './detect-helpers';
import { testLogger } from './helpers';

/** Channel retries as shipped (3 attempts of up to 10 s each): 30 s when nothing else bounds them. */
const detect = { rules: [bruteForce({ maxFailuresPerActor: 2 })] };

describe('a webhook receiver that accepts the connection and never answers', () => {
  it('does not stall flush(), logDurable() or close(); close() reports what it abandoned', async () => {
    const hung = await startHangingReceiver();
    const errors: string[] = [];
    const { logger, sink } = testLogger({
      detect,
      onError: (e) => errors.push(e.message),
      alerts: {
        closeGraceMs: 300,
        channels: [webhookChannel({ name: 'soc', url: hung.url, secret: 's3cret' })],
        routes: [{ name: 'sec', kinds: '*', channels: ['soc'] }],
      },
    });
    logger.log(failedLogin('rui', '10.0.0.9'));
    logger.log(failedLogin('rui', '10.0.0.9'));

    let started = Date.now();
    await logger.flush();
    expect(Date.now() - started).toBeLessThan(2000);
    // The alert was decided and recorded, and its notification is on its way to the hung receiver.
    expect(sink.events.map((e) => e.type)).toEqual([
      'auth.login',
      'auth.login',
      'security.anomaly',
      'alert.opened',
    ]);
    for (let waited = 0; hung.requests === 0 && waited < 2000; waited += 20)
      await new Promise((r) => setTimeout(r, 20));
    expect(hung.requests).toBe(1);

    started = Date.now();
    const id = await logger.logDurable({ type: 'payment.captured', actor: { id: 'rui' } });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(sink.events.find((e) => e.id === id)).toBeDefined();

    started = Date.now();
    await logger.close();
    expect(Date.now() - started).toBeLessThan(2000);
    const stats = logger.stats().alerts!;
    expect(stats.abandoned).toBe(1);
    expect(stats.channels).toEqual([expect.objectContaining({ name: 'soc', sent: 0, abandoned: 1 })]);
    expect(
      errors.filter((m) =>
        /"soc" did not finish within 300 ms of close\(\); 1 notifications abandoned/.test(m),
      ),
    ).toHaveLength(1);
    expect(logger.health().reasons).toContain('alert channel "soc": 1 notifications abandoned at close');
    await hung.close();
  });

  it('sent() waits for the channels, bounded by the channel timeout', async () => {
    const hung = await startHangingReceiver();
    const { logger } = testLogger({
      detect,
      onError: () => {},
      alerts: {
        retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 150 },
        channels: [webhookChannel({ name: 'soc', url: hung.url, secret: 's3cret' })],
        routes: [{ name: 'sec', kinds: '*', channels: ['soc'] }],
      },
    });
    logger.log(failedLogin('ana', '10.0.0.10'));
    logger.log(failedLogin('ana', '10.0.0.10'));
    await logger.flush();
    const started = Date.now();
    await logger.alerts!.sent();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(logger.stats().alerts!.channels[0]).toMatchObject({
      sent: 0,
      failed: 1,
      retries: 1,
      abandoned: 0,
    });
    await logger.close();
    expect(logger.stats().alerts!.abandoned).toBe(0);
    await hung.close();
  });
});
