/**
 * Generic webhook sink: one signed JSON POST per batch. Receivers check
 * `x-auditkit-signature` with `verifyWebhookSignature` (HMAC-SHA256 over `<timestamp>.<body>`,
 * the timestamp guarding against replays) and may use `idempotency-key` to drop retried batches.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditSink, Batch } from '@auditkit/core';
import { compileFormat, type EventFormat } from './formats';
import { endpoint, failOnStatus, post } from './http';

export const SIGNATURE_HEADER = 'x-auditkit-signature';
export const TIMESTAMP_HEADER = 'x-auditkit-timestamp';

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

export function signPayload(secret: string | Buffer, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface VerifyWebhookOptions {
  secret: string | Buffer;
  /** The raw request body, exactly as received. */
  body: string | Buffer;
  /** Value of `x-auditkit-signature`. */
  signature: string | undefined;
  /** Value of `x-auditkit-timestamp`. */
  timestamp: string | undefined;
  /** Oldest accepted timestamp, in seconds before now. Default 300. */
  toleranceSeconds?: number;
  now?: () => number;
}

/** True when the body was signed with `secret` within the tolerance. Constant-time comparison. */
export function verifyWebhookSignature(options: VerifyWebhookOptions): boolean {
  const { signature, timestamp } = options;
  if (!signature || !timestamp || !/^\d+$/.test(timestamp)) return false;
  const now = options.now?.() ?? Date.now() / 1000;
  if (Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signPayload(options.secret, timestamp, options.body.toString()));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
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
