import type { AuditLogger } from '@auditkit/core';
import { type MountedConsole, mountConsole, openStream } from './helpers';

let c: MountedConsole;
let url: string;
let key: string;
let log: AuditLogger;

beforeAll(async () => {
  c = await mountConsole((app) => {
    app.get('/hello', async () => ({ hello: 'world' }));
  });
  ({ url, key, log } = c);
});
afterAll(() => c.close());

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
