/**
 * Generic webhook sink: one signed JSON POST per batch. Receivers check
 * `x-auditkit-signature` with `verifyWebhookSignature` (HMAC-SHA256 over `<timestamp>.<body>`,
 * the timestamp guarding against replays) and may use `idempotency-key` to drop retried batches.
 */
import { createHash } from 'node:crypto';
import { type AuditSink, type Batch, SIGNATURE_HEADER, signPayload, TIMESTAMP_HEADER } from '@auditkit/core';
import { compileFormat, type EventFormat } from './formats';
import { endpoint, failOnStatus, post } from './http';

// Signing is shared with core's alert webhooks: one scheme, one verifier for receivers.
export {
  SIGNATURE_HEADER,
  signPayload,
  TIMESTAMP_HEADER,
  type VerifyWebhookOptions,
  verifyWebhookSignature,
} from '@auditkit/core';

export interface WebhookSinkOptions {
  /** Where batches are POSTed. Required. */
  url: string;
  /** HMAC-SHA256 key for the signature header. Strongly recommended; without it nothing is signed. */
  secret?: string | Buffer;
  /** Event shape. Default `native`. */
  format?: EventFormat;
  /** Extra request headers (e.g. an API key). Default none. */
  headers?: Record<string, string>;
  /** Longest wait for one request (ms). Default 10000. */
  timeoutMs?: number;
  /** Sink name in stats and health. Default `webhook`. */
  name?: string;
  /** Clock for the timestamp header (Unix seconds); injectable for tests. Default `Date.now() / 1000`. */
  now?: () => number;
}

export function webhookSink(options: WebhookSinkOptions): AuditSink {
  const target = endpoint(options?.url, 'webhookSink: url');
  const url = target.url.toString();
  const name = options.name ?? 'webhook';
  const format = compileFormat(options.format);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? (() => Date.now() / 1000);
  return {
    name,
    async write(batch: Batch): Promise<void> {
      const events = batch.events;
      const body = JSON.stringify({ events: events.map(format) });
      const timestamp = String(Math.floor(now()));
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        ...target.auth,
        // The same batch always has the same key, so a receiver can drop a retried delivery.
        'idempotency-key': createHash('sha256')
          .update(events.map((e) => e.id).join(','))
          .digest('hex'),
        ...options.headers,
      };
      if (options.secret !== undefined) {
        headers[TIMESTAMP_HEADER] = timestamp;
        headers[SIGNATURE_HEADER] = signPayload(options.secret, timestamp, body);
      }
      failOnStatus(await post({ url, headers, body, timeoutMs, sink: name }), name, url);
    },
    async close(): Promise<void> {},
  };
}
