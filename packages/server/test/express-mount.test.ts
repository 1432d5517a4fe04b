import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLogger, fileSink } from '@auditkit/core';
import { type AuditServer, createApiKey, createAuditServer } from '@auditkit/server';
import { type RunningServer, startServer } from '@auditkit/test-utils';
import express from 'express';
import { foreignEvent, openStream } from './helpers';

let dir: string;
let server: AuditServer;
let http: RunningServer;
let logger: ReturnType<typeof createAuditLogger>;
let key: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-express-'));
  key = (await createApiKey(join(dir, 'keys.json'), { tenant: 'acme', scopes: ['read', 'write', 'export'] }))
    .key;
  const store = fileSink({ path: join(dir, 'audit.jsonl') });
  logger = createAuditLogger({
    service: 'host',
    flushOnExit: false,
    batch: { maxWaitMs: 1 },
    sinks: [store],
  });
  server = await createAuditServer({ store, logger, keys: join(dir, 'keys.json') });
  const app = express();
  app.use('/audit', await server.expressHandler());
  app.use(express.json());
  app.post('/echo', (req, res) => {
    res.json(req.body);
  });
  http = await startServer(app);
  await server.attachUpgrades(http.server, '/audit');
});
afterAll(async () => {
  await http.close();
  await server.close();
  await logger.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the console mounted in an Express app', () => {
  it('serves search, ingest and export under the mount path, beside the app routes', async () => {
    const auth = { authorization: `Bearer ${key}` };
    expect((await fetch(`${http.url}/audit/api/events`)).status).toBe(401);
    const event = foreignEvent({ type: 'invoice.paid' });
    const ingest = await fetch(`${http.url}/audit/api/events`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    expect(await ingest.json()).toMatchObject({ accepted: 1 });
    const search = await fetch(`${http.url}/audit/api/events?q=type:invoice.*`, { headers: auth });
    expect(((await search.json()) as { events: Array<{ id: string }> }).events.map((e) => e.id)).toEqual([
      event.id,
    ]);
    const exported = await fetch(`${http.url}/audit/api/export?q=type:invoice.*`, { headers: auth });
    await exported.text();
    expect(exported.headers.get('x-auditkit-manifest')).toMatch(
      /^\/audit\/api\/export\/[0-9a-f-]+\/manifest$/,
    );
    const manifest = await fetch(`${http.url}${exported.headers.get('x-auditkit-manifest')}`, {
      headers: auth,
    });
    expect(await manifest.json()).toMatchObject({ count: 1, complete: true });
    const echo = await fetch(`${http.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(await echo.json()).toEqual({ a: 1 });
  });

  it('streams through the HTTP server the app listens on', async () => {
    const s = openStream(`${http.url}/audit`, { key, q: 'type:order.*' });
    await s.next((m) => m.type === 'subscribed');
    logger.log({ type: 'order.created', tenant: 'acme' });
    await s.next((m) => m.type === 'event' && m.event.type === 'order.created');
    s.ws.close();
    await s.closed;
  });

  it('says so when mounted after a body parser', async () => {
    const app = express();
    app.use(express.json());
    app.use('/audit', await server.expressHandler());
    const late = await startServer(app);
    try {
      const r = await fetch(`${late.url}/audit/api/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(foreignEvent()),
      });
      expect(r.status).toBe(500);
      expect(((await r.json()) as { message: string }).message).toMatch(/before body parsers/);
    } finally {
      await late.close();
    }
  });
});
