import type { AuditLogger } from '@auditkit/core';
import { auditPlugin } from '@auditkit/fastify';
import { fileLogger, runConcurrently, unconfirmedLogger } from '@auditkit/test-utils';
import Fastify from 'fastify';

async function start(logger: AuditLogger, holdResponse: boolean | { timeoutMs: number }) {
  const app = Fastify();
  await app.register(auditPlugin, { logger, holdResponse });
  app.get('/orders/:id', async (request) => {
    const { id } = request.params as { id: string };
    request.audit!.log({ type: 'order.viewed', resource: { type: 'order', id } });
    return { id };
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url };
}

describe('fastify: holdResponse', () => {
  it('answers only once the request event and the events it logged are in the file', async () => {
    const { logger, requestIds } = fileLogger();
    const { app, url } = await start(logger, true);
    await runConcurrently(30, 10, async (i) => {
      const id = `held-${i}`;
      const res = await fetch(`${url}/orders/${i}`, { headers: { 'x-request-id': id } });
      const onDisk = requestIds().filter((r) => r === id).length;
      expect({ status: res.status, onDisk, body: await res.json() }).toEqual({
        status: 200,
        onDisk: 2,
        body: { id: String(i) },
      });
    });
    expect(logger.stats().hold).toEqual({ held: 30, expired: 0, lost: 0 });
    await app.close();
    await logger.close();
  });

  it('releases the reply at the time limit when the sink never confirms, and counts it', async () => {
    const logger = unconfirmedLogger();
    const { app, url } = await start(logger, { timeoutMs: 200 });
    const started = Date.now();
    const res = await fetch(`${url}/orders/9`);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(logger.stats().hold).toEqual({ held: 1, expired: 1, lost: 0 });
    expect(logger.health().reasons).toContain(
      '1 held responses were released before their audit events were stored',
    );
    await app.close();
    await logger.close();
  });
});
