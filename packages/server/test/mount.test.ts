import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLogger, fileSink } from '@auditkit/core';
import { type AuditServer, createApiKey, createAuditServer } from '@auditkit/server';
import Fastify, { type FastifyInstance } from 'fastify';
import { openStream } from './helpers';

let dir: string;
let app: FastifyInstance;
let server: AuditServer;
let url: string;
let key: string;
const logger = () =>
  createAuditLogger({
    service: 'host',
    flushOnExit: false,
    batch: { maxWaitMs: 1 },
    sinks: [fileSink({ path: join(dir, 'audit.jsonl') })],
  });
let log: ReturnType<typeof logger>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-mount-'));
  key = (await createApiKey(join(dir, 'keys.json'), { tenant: 'acme', scopes: ['read'] })).key;
  log = logger();
  const store = fileSink({ path: join(dir, 'audit.jsonl') });
  server = await createAuditServer({ store, logger: log, keys: join(dir, 'keys.json') });
  app = Fastify();
  app.get('/hello', async () => ({ hello: 'world' }));
  await app.register(server.plugin, { prefix: '/audit' });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
  await server.close();
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the console mounted in an existing Fastify app', () => {
  it('serves the API under the prefix and leaves the host routes alone', async () => {
    const hello = await fetch(`${url}/hello`);
    expect(await hello.json()).toEqual({ hello: 'world' });
    expect(hello.headers.get('content-security-policy')).toBeNull();
    expect((await fetch(`${url}/audit/api/events`)).status).toBe(401);
    log.log({ type: 'auth.login', tenant: 'acme' });
    await log.flush();
    const r = await fetch(`${url}/audit/api/events?q=type:auth.*`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(r.status).toBe(200);
    const page = (await r.json()) as { events: Array<{ type: string }> };
    expect(page.events.map((e) => e.type)).toEqual(['auth.login']);
    const doc = (await (await fetch(`${url}/audit/api/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/audit/api/events', '/audit/api/stream']),
    );
  });

  it('streams under the prefix', async () => {
    const s = openStream(`${url}/audit`, { key, q: 'type:order.*' });
    await s.next((m) => m.type === 'subscribed');
    log.log({ type: 'order.created', tenant: 'acme' });
    await s.next((m) => m.type === 'event' && m.event.type === 'order.created');
    s.ws.close();
  });
});
