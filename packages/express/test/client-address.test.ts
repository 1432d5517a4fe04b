import { auditMiddleware } from '@auditkit/express';
import { expectOneEvent, memoryLogger, startServer } from '@auditkit/test-utils';
import express from 'express';
import request from 'supertest';

/** The address the request's event records for a client behind a proxy saying X-Forwarded-For. */
async function recordedIp(trustProxy: boolean | string | undefined): Promise<string | undefined> {
  const { logger, sink } = memoryLogger();
  const app = express();
  if (trustProxy !== undefined) app.set('trust proxy', trustProxy);
  app.use(auditMiddleware({ logger }));
  app.get('/ip', (req, res) => {
    res.json({ ip: req.ip });
  });
  const server = await startServer(app);
  const res = await request(server.url).get('/ip').set('x-forwarded-for', '203.0.113.7, 198.51.100.2');
  await server.close();
  await logger.close();
  const event = expectOneEvent(sink.events, (e) => e.type === 'http.request');
  // Always what Express itself says the client's address is.
  expect(event.actor?.ip).toBe(res.body.ip);
  return event.actor?.ip;
}

describe("express: the client's address", () => {
  it('is the socket address when no proxy is trusted, whatever X-Forwarded-For says', async () => {
    expect(await recordedIp(undefined)).toMatch(/127\.0\.0\.1/);
    expect(await recordedIp(false)).toMatch(/127\.0\.0\.1/);
  });

  it("follows `trust proxy`: the forwarded address Express's req.ip resolves", async () => {
    expect(await recordedIp(true)).toBe('203.0.113.7');
    expect(await recordedIp('loopback')).toBe('198.51.100.2');
  });
});
