import { startSmtpReceiver } from '@auditkit/test-utils';
import nodemailer from 'nodemailer';
import { bruteForce, emailChannel } from '../src';
import { failedLogin, logAll } from './detect-helpers';
import { testLogger } from './helpers';

describe('e-mail channel', () => {
  it('sends one mail per notification through a nodemailer SMTP transport', async () => {
    const smtp = await startSmtpReceiver();
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      ignoreTLS: true,
    });
    const { logger } = testLogger({
      detect: { rules: [bruteForce({ maxFailuresPerActor: 2 })] },
      alerts: {
        channels: [
          emailChannel({ transport, from: 'audit@acme.test', to: ['sec@acme.test', 'cto@acme.test'] }),
        ],
        routes: [{ name: 'sec', kinds: '*', channels: ['email'] }],
      },
    });
    try {
      await logAll(logger, [failedLogin('rae', '10.0.0.9'), failedLogin('rae', '10.0.0.9')]);
      expect(smtp.mails).toHaveLength(1);
      const mail = smtp.mails[0]!;
      expect(mail.from).toBe('audit@acme.test');
      expect(mail.to).toEqual(['sec@acme.test', 'cto@acme.test']);
      expect(mail.subject).toMatch(
        /^\[auditkit\] \[ERROR\] brute-force actor rae: brute force: 2 failed logins/,
      );
      const alert = logger.alerts!.list()[0]!;
      expect(mail.text).toContain(`alert ${alert.id}, event ${alert.eventId}`);
      expect(mail.text).toContain('"sampleEventIds":[');
      expect(mail.raw).toMatch(new RegExp(`X-Auditkit-Alert-Ids: ${alert.id}`, 'i'));
    } finally {
      await logger.close();
      transport.close();
      await smtp.close();
    }
  });
});
