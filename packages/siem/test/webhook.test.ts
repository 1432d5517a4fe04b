import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature, webhookSink } from '@auditkit/siem';
import { logOrders, pipelineInto } from './helpers';
import { type WebhookReceiver, webhookReceiver } from './receivers';

describe('webhookSink', () => {
  let hook: WebhookReceiver;
  beforeEach(async () => {
    hook = await webhookReceiver();
  });
  afterEach(() => hook.close());

  it('POSTs each batch as signed JSON the receiver can verify with the shared secret', async () => {
    const { logger, errors } = pipelineInto(
      webhookSink({ url: hook.url, secret: 's3cret', headers: { 'x-api-key': 'abc' } }),
    );
    const ids = logOrders(logger, 7);
    await logger.close();
    expect(errors).toEqual([]);
    const received = hook.requests.flatMap(
      (r) => (JSON.parse(r.body) as { events: Array<{ id: string }> }).events,
    );
    expect(received.map((e) => e.id)).toEqual(ids);
    for (const r of hook.requests) {
      expect(r.path).toBe('/audit');
      expect(r.headers['x-api-key']).toBe('abc');
      const check = {
        secret: 's3cret',
        body: r.body,
        signature: r.headers[SIGNATURE_HEADER] as string,
        timestamp: r.headers[TIMESTAMP_HEADER] as string,
      };
      expect(verifyWebhookSignature(check)).toBe(true);
      expect(verifyWebhookSignature({ ...check, secret: 'other' })).toBe(false);
      expect(
        verifyWebhookSignature({ ...check, body: r.body.replace('order.created', 'order.deleted') }),
      ).toBe(false);
      expect(verifyWebhookSignature({ ...check, now: () => Number(check.timestamp) + 3600 })).toBe(false);
    }
  });

  it('retries 5xx with the same idempotency key, so a receiver can drop a duplicate', async () => {
    hook.fail(2, 500);
    const { logger } = pipelineInto(webhookSink({ url: hook.url, secret: 'k' }));
    logOrders(logger, 3);
    await logger.close();
    expect(hook.requests).toHaveLength(3);
    const keys = new Set(hook.requests.map((r) => r.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    expect(logger.stats().sinks[0]).toMatchObject({ delivered: 3, retries: 2 });
  });

  it('does not retry a 4xx the receiver will answer again', async () => {
    hook.fail(5, 422);
    const { logger, errors } = pipelineInto(webhookSink({ url: hook.url }));
    logOrders(logger, 1);
    await logger.close();
    expect(hook.requests).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/answered 422/);
  });

  it('sends credentials from the URL as Basic auth and keeps them out of error messages', async () => {
    hook.fail(1, 400);
    const url = hook.url.replace('http://', 'http://user:hunter2@');
    const { logger, errors } = pipelineInto(webhookSink({ url }));
    logOrders(logger, 1);
    await logger.close();
    expect(errors[0]!.message).not.toMatch(/hunter2/);
    // fetch refuses credentials in URLs: they travel as Basic authorization instead.
    expect(hook.requests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('user:hunter2').toString('base64')}`,
    );
  });
});
