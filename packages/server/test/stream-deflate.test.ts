import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLogger, fileSink } from '@auditkit/core';
import { type AuditServer, createApiKey, createAuditServer } from '@auditkit/server';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { openStream } from './helpers';

// Events frames are written whole to the connection only when no extension transforms them; a
// host app that registered @fastify/websocket with compression on gets them through ws instead.
let dir: string;
let app: FastifyInstance;
let server: AuditServer;
let log: ReturnType<typeof createAuditLogger>;
let url: string;
let key: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-deflate-'));
  key = (await createApiKey(join(dir, 'keys.json'), { tenant: 'acme', scopes: ['read'] })).key;
  const path = join(dir, 'audit.jsonl');
  log = createAuditLogger({
    service: 'host',
    flushOnExit: false,
    batch: { maxWaitMs: 1 },
    sinks: [fileSink({ path })],
  });
  server = await createAuditServer({ store: fileSink({ path }), logger: log, keys: join(dir, 'keys.json') });
  app = Fastify();
  await app.register(websocket, { options: { perMessageDeflate: true } });
  await app.register(server.plugin, { prefix: '/audit' });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
  await server.close();
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the stream on a host app that compresses WebSocket messages', () => {
  it('negotiates permessage-deflate and still delivers every event whole', async () => {
    const s = openStream(`${url}/audit`, { key, q: 'type:order.*' });
    await s.next((m) => m.type === 'subscribed');
    expect(s.ws.extensions).toContain('permessage-deflate');
    const texts = ['ü€😀', ...Array.from({ length: 10 }, (_, i) => `${'é'.repeat(4000)}😀${i}`)];
    for (const text of texts) log.log({ type: 'order.noted', tenant: 'acme', details: { text } });
    await s.next((m) => m.type === 'event' && m.event.details.text === texts.at(-1), 5000);
    const received = s.messages.filter((m) => m.type === 'event').map((m) => m.event.details.text);
    expect(received).toEqual(texts);
    s.ws.close();
    await s.closed;
  });
});
