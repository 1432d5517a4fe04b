import { emailChannel, slackChannel, webhookChannel } from '@auditkit/core';
import { createApp } from '@auditkit/example-express-app';
import { memoryLogger, startServer, startSmtpReceiver, startWebhookReceiver } from '@auditkit/test-utils';
import nodemailer from 'nodemailer';

interface WebhookBody {
  reason: string;
  alerts: Array<{ id: string; kind: string; subject: { type: string; id: string }; eventId: string }>;
}

/**
 * The example Express app under attack, over real HTTP, with every built-in rule on: a password
 * guessing run against one account and repeated bulk exports. Alerts go to a signed webhook and
 * SMTP, and escalate to Slack when nobody acknowledges them.
 */
describe('attack traffic against examples/express-app', () => {
  it('raises exactly the expected alerts, honours the cooldown and escalates what nobody acknowledged', async () => {
    const hook = await startWebhookReceiver('attack-secret');
    const slack = await startWebhookReceiver();
    const smtp = await startSmtpReceiver();
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, ignoreTLS: true });
    const { logger, sink } = memoryLogger({
      detect: { tenants: { acme: { 'large-export': { maxRecords: 3 } } } },
      alerts: {
        channels: [
          webhookChannel({ url: `${hook.url}/alerts`, secret: 'attack-secret' }),
          emailChannel({ transport, from: 'audit@acme.test', to: 'security@acme.test' }),
          slackChannel({ webhookUrl: `${slack.url}/services/T1/B1/secret` }),
        ],
        routes: [
          {
            name: 'security',
            kinds: '*',
            channels: ['webhook', 'email'],
            escalate: { afterMs: 2000, channels: ['slack'] },
          },
        ],
      },
    });
    const app = await startServer(createApp({ logger }));
    const post = (path: string, body: unknown, token?: string) =>
      fetch(`${app.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
    try {
      // Eight guesses at alice's password: the fifth trips the rule, the rest are inside its cooldown.
      for (let i = 0; i < 8; i++)
        expect((await post('/login', { username: 'alice', password: `guess-${i}` })).status).toBe(401);
      const { token } = (await (
        await post('/login', { username: 'bob', password: 'battery staple' })
      ).json()) as {
        token: string;
      };
      for (let i = 0; i < 4; i++)
        expect((await post('/orders', { item: `crate-${i}` }, token)).status).toBe(201);
      // Two exports of 4 orders each: above acme's limit of 3 records; the second is in the cooldown.
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${app.url}/orders-export`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.status).toBe(200);
        await res.text();
      }
      await logger.flush();
      await logger.alerts!.sent();

      const anomalies = sink.events.filter((e) => e.type === 'security.anomaly');
      expect(anomalies.map((e) => [e.details?.kind, e.resource?.id])).toEqual([
        ['brute-force', 'alice'],
        ['large-export', 'u-bob'],
      ]);
      expect(anomalies[1]!.tenant).toBe('acme');
      expect(logger.stats().detection).toMatchObject({ fired: 2, suppressed: 4, stateErrors: 0 });

      // Webhook: exactly two signed notifications, one per anomaly.
      expect(hook.received.map((r) => r.signatureValid)).toEqual([true, true]);
      const bodies = hook.received.map((r) => r.json as WebhookBody);
      expect(bodies.map((b) => [b.reason, b.alerts.length, b.alerts[0]!.kind])).toEqual([
        ['opened', 1, 'brute-force'],
        ['opened', 1, 'large-export'],
      ]);
      expect(bodies.map((b) => b.alerts[0]!.eventId)).toEqual(anomalies.map((e) => e.id));
      // E-mail: the same two, by SMTP.
      expect(smtp.mails.map((m) => m.subject)).toEqual([
        expect.stringMatching(
          /^\[auditkit\] \[ERROR\] brute-force actor alice: brute force: 5 failed logins/,
        ),
        expect.stringMatching(
          /^\[auditkit\] \[WARNING\] large-export actor u-bob \(tenant acme\): large export/,
        ),
      ]);
      expect(smtp.mails.every((m) => m.to.join() === 'security@acme.test')).toBe(true);

      // The on-call engineer acknowledges the brute force; nobody looks at the export.
      const [bruteForceAlert, exportAlert] = bodies.map((b) => b.alerts[0]!);
      expect(await logger.alerts!.acknowledge(bruteForceAlert!.id, { by: 'oncall@acme.test' })).toBe(true);
      // Both alerts opened well within 2 s of each other, so both escalation deadlines pass here.
      for (let waited = 0; waited < 5000 && slack.received.length === 0; waited += 50)
        await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 300));
      await logger.flush();
      await logger.alerts!.sent();
      expect(slack.received).toHaveLength(1);
      expect((slack.received[0]!.json as { text: string }).text).toMatch(
        /^ESCALATED: \[WARNING\] large-export/,
      );
      expect(logger.alerts!.get(exportAlert!.id)!.escalatedAt).toBeDefined();

      // More guessing after all that: still inside the cooldown, nothing new goes out.
      for (let i = 0; i < 3; i++) await post('/login', { username: 'alice', password: `late-${i}` });
      await logger.flush();
      await logger.alerts!.sent();
      expect(hook.received).toHaveLength(2);
      expect(smtp.mails).toHaveLength(2);

      expect(
        sink.events
          .filter((e) => e.type.startsWith('alert.'))
          .map((e) => [e.type, e.resource?.id, e.actor.id]),
      ).toEqual([
        ['alert.opened', bruteForceAlert!.id, 'auditkit.alerts'],
        ['alert.opened', exportAlert!.id, 'auditkit.alerts'],
        ['alert.acknowledged', bruteForceAlert!.id, 'oncall@acme.test'],
        ['alert.escalated', exportAlert!.id, 'auditkit.alerts'],
      ]);
      expect(logger.stats().alerts).toMatchObject({ opened: 2, escalated: 1, acknowledged: 1 });
      expect(logger.health().status).toBe('ok');
    } finally {
      await app.close();
      await logger.close();
      transport.close();
      await Promise.all([hook.close(), slack.close(), smtp.close()]);
    }
  });
});
