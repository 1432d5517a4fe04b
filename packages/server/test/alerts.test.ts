import { type RunningConsole, startConsole } from './helpers';

let c: RunningConsole;
const opened = (id: string, tenant: string) => ({
  type: 'alert.opened',
  category: 'security',
  action: 'opened',
  severity: 'warning' as const,
  tenant,
  message: `alert opened: brute force on ${id}`,
  resource: { type: 'alert', id },
  details: { route: 'security', kind: 'brute-force', status: 'open' },
});

beforeAll(async () => {
  c = await startConsole({
    keys: {
      acme: { tenant: 'acme', scopes: ['read', 'write'] },
      globex: { tenant: 'globex', scopes: ['read', 'write'] },
      reader: { tenant: '*', scopes: ['read'] },
    },
  });
  await c.seed([opened('al-1', 'acme'), opened('al-2', 'acme')]);
});
afterAll(() => c.close());

describe('POST /api/alerts/:id/acknowledge|resolve', () => {
  it('records the acknowledgement as an alert event by the key, with the note, in the alert tenant', async () => {
    const r = await c.api('/api/alerts/al-1/acknowledge', { key: c.keys.acme, body: { note: 'looking' } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ id: 'al-1', status: 'acknowledged' });
    const page = await c.store.query({ filter: 'type:alert.acknowledged', limit: 10 });
    expect(page.events).toHaveLength(1);
    expect(page.events[0]).toMatchObject({
      id: r.json.eventId,
      tenant: 'acme',
      resource: { type: 'alert', id: 'al-1' },
      actor: { id: expect.stringMatching(/^apikey:/) },
      details: { status: 'acknowledged', note: 'looking', kind: 'brute-force' },
    });
  });

  it('refuses a second acknowledgement and any change after resolution', async () => {
    expect((await c.api('/api/alerts/al-1/acknowledge', { key: c.keys.acme, body: {} })).status).toBe(409);
    expect((await c.api('/api/alerts/al-1/resolve', { key: c.keys.acme, body: {} })).status).toBe(200);
    const again = await c.api('/api/alerts/al-1/resolve', { key: c.keys.acme, body: {} });
    expect(again.status).toBe(409);
    expect(again.json.message).toMatch(/already resolved/);
  });

  it("hides another tenant's alert and needs the write scope", async () => {
    const theirs = await c.api('/api/alerts/al-2/resolve', { key: c.keys.globex, body: {} });
    expect(theirs.status).toBe(404);
    expect((await c.api('/api/alerts/al-2/resolve', { key: c.keys.reader, body: {} })).status).toBe(403);
    expect((await c.api('/api/alerts/nope/resolve', { key: c.keys.acme, body: {} })).status).toBe(404);
    const page = await c.store.query({ filter: 'type:alert.resolved resource.id:al-2', limit: 10 });
    expect(page.events).toHaveLength(0);
  });
});
