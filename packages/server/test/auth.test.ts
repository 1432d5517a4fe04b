import { revokeApiKey } from '@auditkit/server';
import { type RunningConsole, startConsole } from './helpers';

let c: RunningConsole;
beforeAll(async () => {
  c = await startConsole({
    keys: {
      reader: { tenant: 'acme', scopes: ['read'] },
      writer: { tenant: 'acme', scopes: ['write'] },
      admin: { tenant: '*', scopes: ['admin'] },
      doomed: { tenant: 'acme', scopes: ['read'] },
    },
  });
});
afterAll(() => c.close());

describe('authentication', () => {
  it('answers 401 without a key, with a malformed header and with an unknown key, and records each', async () => {
    const none = await c.api('/api/integrity');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const malformed = await c.api('/api/integrity', { headers: { authorization: `Basic ${c.keys.reader}` } });
    expect(malformed.status).toBe(401);
    const forged = `${c.keys.reader!.slice(0, -4)}AAAA`;
    const unknown = await c.api('/api/integrity', { key: forged });
    expect(unknown.status).toBe(401);
    expect(unknown.json.message).toBe('unknown or revoked API key');
    const failed = (await c.consoleEvents()).filter((e) => e.type === 'console.auth.failed');
    expect(failed.map((e) => e.message)).toEqual([
      'no API key: send Authorization: Bearer <key>',
      'malformed Authorization header: expected Bearer <key>',
      'unknown or revoked API key',
    ]);
    expect(failed[2]).toMatchObject({
      category: 'authentication',
      outcome: 'failure',
      actor: { type: 'anonymous', ip: '127.0.0.1' },
      details: { keyId: c.keys.reader!.split('_')[1] },
    });
    // The key itself never reaches the trail.
    expect(JSON.stringify(failed)).not.toContain(forged);
  });

  it('refuses a key in the query string, even a valid one, and never records it', async () => {
    for (const query of [
      `?key=${c.keys.admin}`,
      `?api_key=x`,
      `?access_token=y`,
      `?q=${encodeURIComponent(c.keys.admin!)}`,
    ]) {
      const r = await c.api(`/api/integrity${query}`, { key: c.keys.admin });
      expect(r.status).toBe(400);
      expect(r.json.message).toMatch(/only in the Authorization header/);
    }
    const events = await c.consoleEvents();
    expect(events.filter((e) => e.message === 'credentials in the URL refused')).toHaveLength(4);
    expect(JSON.stringify(events)).not.toContain(c.keys.admin!.slice(21));
  });

  it('answers 403 for a missing scope and records the denial under the key', async () => {
    const r = await c.api('/api/integrity', { key: c.keys.writer });
    expect(r.status).toBe(403);
    expect(r.json.message).toBe('this key lacks the "read" scope');
    const denied = (await c.consoleEvents()).find((e) => e.type === 'console.access.denied');
    expect(denied).toMatchObject({
      tenant: 'acme',
      actor: { type: 'service', id: `apikey:${c.keys.writer!.split('_')[1]}` },
      details: { scope: 'read' },
    });
  });

  it('lets admin keys do everything and health needs no key', async () => {
    expect((await c.api('/api/integrity', { key: c.keys.admin })).status).toBe(200);
    const health = await c.api('/api/health');
    expect(health.status).toBe(200);
    expect(health.json.status).toBe('ok');
  });

  it('refuses a key as soon as it is revoked in the keys file', async () => {
    expect((await c.api('/api/integrity', { key: c.keys.doomed })).status).toBe(200);
    await revokeApiKey(c.keysPath, c.keys.doomed!.split('_')[1]!);
    const deadline = Date.now() + 1000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      status = (await c.api('/api/integrity', { key: c.keys.doomed })).status;
    }
    expect(status).toBe(401);
  });
});
