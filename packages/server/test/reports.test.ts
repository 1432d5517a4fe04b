import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '@auditkit/cli';
import { type RunningConsole, startConsole } from './helpers';

let c: RunningConsole;
let dir: string;
const from = new Date(Date.now() - 3600_000).toISOString();
const to = new Date(Date.now() + 3600_000).toISOString();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-reports-'));
  c = await startConsole({
    keys: {
      acme: { tenant: 'acme', scopes: ['read', 'export'] },
      globex: { tenant: 'globex', scopes: ['read', 'export'] },
      reader: { tenant: 'acme', scopes: ['read'] },
    },
  });
  await c.seed([
    { type: 'auth.login', tenant: 'acme', actor: { id: 'u-alice' } },
    {
      type: 'user.updated',
      tenant: 'acme',
      actor: { id: 'u-admin', roles: ['admin'] },
      resource: { type: 'user', id: 'u-alice' },
      changes: { before: { plan: 'a' }, after: { plan: 'b' } },
    },
    { type: 'auth.login', tenant: 'acme', outcome: 'failure', actor: { id: 'mallory' } },
    {
      type: 'alert.opened',
      tenant: 'acme',
      category: 'security',
      resource: { type: 'alert', id: 'al-1' },
      message: 'alert opened: <brute force>',
    },
    { type: 'keys.rotated', tenant: 'acme', category: 'admin', actor: { id: 'u-admin' } },
    { type: 'auth.login', tenant: 'globex', actor: { id: 'u-alice' } },
    ...Array.from({ length: 6 }, (_, i) => ({ type: 'noise.tick', tenant: 'acme', details: { i } })),
  ]);
});
afterAll(async () => {
  await c.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /api/reports/gdpr', () => {
  it("lists the person as actor and as subject, inside the key's tenant, each listed event proven offline", async () => {
    const r = await c.api('/api/reports/gdpr?subject=u-alice', { key: c.keys.acme });
    expect(r.status).toBe(200);
    const [asActor, asSubject] = r.json.sections;
    expect(
      asActor.events.map((l: { event: { type: string; tenant: string } }) => [l.event.type, l.event.tenant]),
    ).toEqual([['auth.login', 'acme']]);
    expect(asSubject.events[0].event).toMatchObject({ type: 'user.updated', resource: { id: 'u-alice' } });
    expect(r.json.scope).toMatchObject({ tenant: 'acme', subject: 'u-alice' });
    expect(r.json.integrity.ok).toBe(true);
    const proof = r.json.integrity.proofs[asSubject.events[0].event.id];
    writeFileSync(join(dir, 'proof.json'), JSON.stringify(proof));
    writeFileSync(join(dir, 'signing.pub'), c.signing.publicKeyPem);
    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
    expect(
      await run(['verify-proof', join(dir, 'proof.json'), '--key', join(dir, 'signing.pub')], io as never),
    ).toBe(0);
  });

  it('is recorded as a console.report event, needs the export scope, and names a bad subject', async () => {
    const events = await c.consoleEvents();
    expect(events.find((e) => e.type === 'console.report')).toMatchObject({
      tenant: 'acme',
      details: { kind: 'gdpr', subject: 'u-alice', format: 'json' },
    });
    expect((await c.api('/api/reports/gdpr?subject=u-alice', { key: c.keys.reader })).status).toBe(403);
    const bad = await c.api('/api/reports/gdpr?subject=', { key: c.keys.acme });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/subject/);
  });
});

describe('GET /api/reports/period', () => {
  it('sorts the period into the control sections and appends the integrity of the trail', async () => {
    const r = await c.api(`/api/reports/period?from=${from}&to=${to}&controls=sox`, { key: c.keys.acme });
    expect(r.status).toBe(200);
    const section = (id: string) => r.json.sections.find((s: { id: string }) => s.id === id);
    const types = (id: string) => section(id).events.map((l: { event: { type: string } }) => l.event.type);
    expect(types('privileged')).toEqual(expect.arrayContaining(['user.updated', 'keys.rotated']));
    // The reader key's refused report request (earlier) is a denial of its own.
    expect(types('failures')).toEqual(['auth.login', 'console.access.denied']);
    expect(types('anomalies')).toEqual(['alert.opened']);
    expect(types('configuration')).toEqual(['keys.rotated']);
    expect(types('sensitive')).toContain('user.updated');
    expect(
      r.json.sections.flatMap((s: { events: Array<{ event: { tenant: string } }> }) =>
        s.events.map((l) => l.event.tenant),
      ),
    ).not.toContain('globex');
    expect(r.json.scope.controls).toEqual(['sox']);
    expect(r.json.integrity.chains[0]).toMatchObject({ ok: true });
    expect(
      Object.keys(r.json.integrity.proofs).length + r.json.integrity.unproven.length,
    ).toBeGreaterThanOrEqual(5);
  });

  it('renders the same report as printable HTML (escaped) and as PDF', async () => {
    const html = await c.api(`/api/reports/period?from=${from}&to=${to}&format=html`, { key: c.keys.acme });
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(html.text).toContain('Integrity appendix');
    expect(html.text).toContain('&lt;brute force&gt;');
    expect(html.text).not.toContain('<brute force>');
    const pdf = await fetch(`${c.url}/api/reports/period?from=${from}&to=${to}&format=pdf`, {
      headers: { authorization: `Bearer ${c.keys.acme}` },
    });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(bytes.toString('latin1')).toMatch(/\/Type \/Page\b/);
  });

  it('refuses a period that ends before it starts, naming both ends', async () => {
    const r = await c.api(`/api/reports/period?from=${to}&to=${from}`, { key: c.keys.acme });
    expect(r.status).toBe(400);
    expect(r.json.message).toMatch(/from .* must be before to/);
  });
});
