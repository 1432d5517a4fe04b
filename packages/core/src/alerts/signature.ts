import { createHmac, timingSafeEqual } from 'node:crypto';

/** Headers of a signed webhook request (alerts here, batches in @auditkit/siem). */
export const SIGNATURE_HEADER = 'x-auditkit-signature';
export const TIMESTAMP_HEADER = 'x-auditkit-timestamp';

/** `sha256=<hex>`: HMAC-SHA256 over `<timestamp>.<body>`, the timestamp guarding against replays. */
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
  /** Clock in Unix seconds. Default `Date.now() / 1000`. */
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
