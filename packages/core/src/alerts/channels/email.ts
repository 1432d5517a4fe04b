import { notificationText, notificationTitle } from '../format';
import type { AlertChannel } from '../types';

/** A mail message as nodemailer takes it. */
export interface MailMessage {
  from: string;
  to: string | string[];
  subject: string;
  text: string;
  headers?: Record<string, string>;
}

/** What the e-mail channel needs of a transport: nodemailer's `createTransport(...)` is one. */
export interface MailTransport {
  sendMail(message: MailMessage): Promise<unknown>;
  close?(): void;
}

export interface EmailChannelOptions {
  /** A nodemailer transport you created (`nodemailer.createTransport({ host, port, auth })`). Required. */
  transport: MailTransport;
  /** Sender address. Required. */
  from: string;
  /** Recipients. Required. */
  to: string | string[];
  /** Put before every subject. Default `[auditkit]`. */
  subjectPrefix?: string;
  /** Channel name in routes and stats. Default `email`. */
  name?: string;
}

/** E-mail through a transport you own (SMTP via nodemailer); core itself sends nothing. */
export function emailChannel(options: EmailChannelOptions): AlertChannel {
  if (!options?.transport || typeof options.transport.sendMail !== 'function')
    throw new TypeError('auditkit: emailChannel: transport with sendMail() is required');
  if (typeof options.from !== 'string' || options.from.length === 0)
    throw new TypeError('auditkit: emailChannel: from is required');
  const to = options.to;
  if (!(typeof to === 'string' ? to.length > 0 : Array.isArray(to) && to.length > 0))
    throw new TypeError('auditkit: emailChannel: to is required');
  const prefix = options.subjectPrefix ?? '[auditkit]';
  return {
    name: options.name ?? 'email',
    async send(n) {
      await options.transport.sendMail({
        from: options.from,
        to,
        subject: `${prefix} ${notificationTitle(n)}`.slice(0, 250),
        text: notificationText(n),
        headers: { 'x-auditkit-alert-ids': n.alerts.map((a) => a.id).join(',') },
      });
    },
  };
}
