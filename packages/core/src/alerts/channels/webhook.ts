import { createHash } from 'node:crypto';
import { SIGNATURE_HEADER, signPayload, TIMESTAMP_HEADER } from '../signature';
import type { AlertChannel } from '../types';
import { postJson, requireHttpUrl } from './http';

export interface WebhookChannelOptions {
  /** Where notifications are POSTed as JSON. Required. */
  url: string;
  /** HMAC-SHA256 key: `x-auditkit-signature` = `sha256=HMAC(<timestamp>.<body>)`, `x-auditkit-timestamp` = Unix seconds. Required. */
  secret: string | Buffer;
  /** Extra request headers. Default none. */
  headers?: Record<string, string>;
  /** Longest wait for one request (ms). Default 10000. */
  timeoutMs?: number;
  /** Channel name in routes and stats. Default `webhook`. */
  name?: string;
  /** Clock for the timestamp header (Unix seconds); injectable for tests. Default `Date.now() / 1000`. */
  now?: () => number;
}

/**
 * Signed JSON webhook: the body is the notification (`reason`, `route`, `service`, `alerts`).
 * Receivers check it with `verifyWebhookSignature` and may drop retries by `idempotency-key`.
 */
export function webhookChannel(options: WebhookChannelOptions): AlertChannel {
  const url = requireHttpUrl(options?.url, 'webhookChannel: url');
  if (options.secret === undefined || options.secret.length === 0)
    throw new TypeError('auditkit: webhookChannel: secret is required (alerts are always signed)');
  const name = options.name ?? 'webhook';
  const now = options.now ?? (() => Date.now() / 1000);
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    name,
    async send(notification, sendOptions) {
      const body = JSON.stringify(notification);
      const timestamp = String(Math.floor(now()));
      await postJson(
        name,
        url,
        body,
        {
          ...options.headers,
          'idempotency-key': createHash('sha256')
            .update(`${notification.reason}:${notification.alerts.map((a) => a.id).join(',')}`)
            .digest('hex'),
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signPayload(options.secret, timestamp, body),
        },
        timeoutMs,
        sendOptions?.signal,
      );
    },
  };
}
