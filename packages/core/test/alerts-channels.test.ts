import { PassThrough } from 'node:stream';
import { startWebhookReceiver } from '@auditkit/test-utils';
import { bruteForce, consoleChannel, slackChannel, webhookChannel } from '../src';
import { failedLogin, logAll } from './detect-helpers';
import { fastRetry, testLogger } from './helpers';

const detect = { rules: [bruteForce({ maxFailuresPerActor: 2 })] };

describe('alert channels', () => {
  it('webhook: signed JSON the receiver can verify, with an idempotency key', async () => {
    const receiver = await startWebhookReceiver('s3cret');
    const { logger } = testLogger({
      detect,
      alerts: {
        channels: [webhookChannel({ url: `${receiver.url}/hooks/audit`, secret: 's3cret' })],
        routes: [{ name: 'sec', kinds: '*', channels: ['webhook'] }],
      },
    });
    await logAll(logger, [failedLogin('nia', '10.0.0.5'), failedLogin('nia', '10.0.0.5')]);
    expect(receiver.received).toHaveLength(1);
    const r = receiver.received[0]!;
    expect(r.path).toBe('/hooks/audit');
    expect(r.signatureValid).toBe(true);
    expect(r.headers['x-auditkit-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(r.headers['idempotency-key']).toMatch(/^[0-9a-f]{64}$/);
    expect(r.json).toMatchObject({
      reason: 'opened',
      route: 'sec',
      service: 'svc',
      alerts: [
        { kind: 'brute-force', severity: 'error', status: 'open', subject: { type: 'actor', id: 'nia' } },
      ],
    });
    // Signed with another secret, the same body does not verify.
    const other = await startWebhookReceiver('not-the-secret');
    const { logger: l2 } = testLogger({
      detect,
      alerts: {
        channels: [webhookChannel({ url: other.url, secret: 's3cret' })],
        routes: [{ name: 'sec', kinds: '*', channels: ['webhook'] }],
      },
    });
    await logAll(l2, [failedLogin('nia', '10.0.0.5'), failedLogin('nia', '10.0.0.5')]);
    expect(other.received[0]!.signatureValid).toBe(false);
    await Promise.all([logger.close(), l2.close(), receiver.close(), other.close()]);
  });

  it('slack: an incoming-webhook payload with text and one section per alert', async () => {
    const slack = await startWebhookReceiver();
    const { logger } = testLogger({
      detect,
      alerts: {
        channels: [slackChannel({ webhookUrl: `${slack.url}/services/T000/B000/XXXX` })],
        routes: [{ name: 'sec', kinds: '*', channels: ['slack'] }],
      },
    });
    await logAll(logger, [failedLogin('oz', '10.0.0.6'), failedLogin('oz', '10.0.0.6')]);
    const body = slack.received[0]!.json as {
      text: string;
      blocks: Array<{ type: string; text: { text: string } }>;
    };
    expect(body.text).toMatch(/^\[ERROR\] brute-force actor oz: brute force: 2 failed logins for actor oz/);
    expect(body.blocks.map((b) => b.type)).toEqual(['header', 'section']);
    expect(body.blocks[1]!.text.text).toContain(':red_circle:');
    await Promise.all([logger.close(), slack.close()]);
  });

  it('console: one line per alert', async () => {
    const stream = new PassThrough();
    let out = '';
    stream.on('data', (c) => {
      out += String(c);
    });
    const { logger } = testLogger({
      detect,
      alerts: {
        channels: [consoleChannel({ stream })],
        routes: [{ name: 'sec', kinds: '*', channels: ['console'] }],
      },
    });
    await logAll(logger, [failedLogin('pia', '10.0.0.7'), failedLogin('pia', '10.0.0.7')]);
    expect(out).toMatch(/^auditkit alert: \[ERROR\] brute-force actor pia: .* \[[0-9a-f-]{36}\]\n$/);
    await logger.close();
  });

  it('a failing channel is retried, then reported, and never blocks the pipeline or other channels', async () => {
    const flaky = await startWebhookReceiver();
    const healthy = await startWebhookReceiver();
    const errors: string[] = [];
    const { logger, sink } = testLogger({
      detect,
      onError: (e) => errors.push(e.message),
      alerts: {
        // A send that outlives its timeout is sent again: on a loaded machine a 200 ms timeout
        // would deliver the healthy channel's alert twice.
        retry: { ...fastRetry, timeoutMs: 5_000 },
        channels: [
          webhookChannel({ name: 'flaky', url: flaky.url, secret: flaky.secret }),
          webhookChannel({ name: 'healthy', url: healthy.url, secret: healthy.secret }),
          webhookChannel({ name: 'dead', url: 'http://127.0.0.1:9/nothing', secret: 'x', timeoutMs: 500 }),
        ],
        routes: [{ name: 'sec', kinds: '*', channels: ['flaky', 'healthy', 'dead'] }],
      },
    });
    flaky.failNext(2, 503);
    const id = logger.log(failedLogin('quinn', '10.0.0.8'));
    logger.log(failedLogin('quinn', '10.0.0.8'));
    expect(id).toBeDefined(); // log() returned at once, whatever the channels do
    await logger.flush();
    await logger.alerts!.sent();
    expect(flaky.received).toHaveLength(1);
    expect(healthy.received).toHaveLength(1);
    const channels = Object.fromEntries(logger.stats().alerts!.channels.map((c) => [c.name, c]));
    expect(channels.flaky).toMatchObject({ sent: 1, retries: 2, failed: 0 });
    expect(channels.dead).toMatchObject({ sent: 0, failed: 1, retries: 2 });
    expect(errors.filter((m) => m.includes('"dead" failed after all retries'))).toHaveLength(1);
    const health = logger.health();
    expect(health.status).toBe('degraded');
    expect(health.reasons.join('\n')).toMatch(/alert channel "dead" is failing/);
    // Auditing itself went on: the events and the anomaly were all delivered to the sink.
    expect(sink.events.map((e) => e.type)).toEqual([
      'auth.login',
      'auth.login',
      'security.anomaly',
      'alert.opened',
    ]);
    await Promise.all([logger.close(), flaky.close(), healthy.close()]);
  });

  it('refuses a webhook without a secret and a non-http URL at startup', () => {
    expect(() => webhookChannel({ url: 'http://127.0.0.1/x', secret: '' })).toThrow(/secret is required/);
    expect(() => slackChannel({ webhookUrl: 'ftp://example.test/x' })).toThrow(/http\(s\) URL/);
  });
});
