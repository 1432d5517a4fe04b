import type { AuditEvent } from '@auditkit/core';
import { type ExportManifest, verifyExportManifest } from '@auditkit/server';
import { type RunningConsole, startConsole } from './helpers';

let c: RunningConsole;
const ACME = 1100;
beforeAll(async () => {
  c = await startConsole({
    keys: {
      acme: { tenant: 'acme', scopes: ['export'] },
      globex: { tenant: 'globex', scopes: ['export'] },
      reader: { tenant: 'acme', scopes: ['read'] },
    },
  });
  const inputs = [];
  for (let i = 0; i < ACME; i++)
    inputs.push({
      type: 'invoice.update',
      tenant: 'acme',
      message: i === 7 ? '=HYPERLINK("http://evil")' : `n ${i}`,
    });
  for (let i = 0; i < 50; i++) inputs.push({ type: 'invoice.update', tenant: 'globex' });
  await c.seed(inputs);
});
afterAll(() => c.close());

async function exportOf(query: string, key = c.keys.acme!) {
  const r = await fetch(`${c.url}/api/export?${query}`, { headers: { authorization: `Bearer ${key}` } });
  const body = Buffer.from(await r.arrayBuffer());
  const manifestPath = r.headers.get('x-auditkit-manifest');
  const m = manifestPath ? await c.api(manifestPath, { key }) : undefined;
  return { status: r.status, headers: r.headers, body, manifest: m?.json as ExportManifest };
}

describe('GET /api/export', () => {
  it('streams NDJSON of exactly the tenant events, with a signed manifest an auditor checks offline', async () => {
    const { status, headers, body, manifest } = await exportOf('format=ndjson&q=type:invoice.*');
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/x-ndjson/);
    const events = body
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEvent);
    expect(events).toHaveLength(ACME);
    expect(events.every((e) => e.tenant === 'acme')).toBe(true);
    expect(manifest).toMatchObject({
      complete: true,
      count: ACME,
      firstId: events[0]!.id,
      lastId: events.at(-1)!.id,
      bytes: body.length,
      tenant: 'acme',
      filter: 'type:invoice.*',
      alg: 'Ed25519',
    });
    expect(await verifyExportManifest(body, manifest, [c.signing.publicKeyPem])).toMatchObject({ ok: true });
    const changed = Buffer.from(body);
    changed[100] = changed[100]! ^ 1;
    expect(await verifyExportManifest(changed, manifest, [c.signing.publicKeyPem])).toEqual({
      ok: false,
      reason: 'the file does not match the SHA-256 in the manifest: it was changed',
    });
    const cut = body.subarray(0, body.length - 10);
    expect((await verifyExportManifest(cut, manifest, [c.signing.publicKeyPem])).ok).toBe(false);
    const forged = { ...manifest, count: manifest.count - 1 };
    expect(await verifyExportManifest(body, forged, [c.signing.publicKeyPem])).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/signature does not verify/),
    });
  });

  it('streams CSV with a header row, formulas defused, and JSON as one array', async () => {
    const csv = await exportOf('format=csv');
    const lines = csv.body.toString('utf8').trim().split('\n');
    expect(lines[0]).toMatch(/^id,time,tenant,type,/);
    expect(lines.length).toBeGreaterThan(ACME);
    expect(csv.body.toString()).toContain(`'=HYPERLINK(""http://evil"")`);
    expect(await verifyExportManifest(csv.body, csv.manifest, [c.signing.publicKeyPem])).toMatchObject({
      ok: true,
    });
    const json = await exportOf('format=json&order=desc&q=tenant:acme');
    const parsed = JSON.parse(json.body.toString('utf8')) as AuditEvent[];
    expect(parsed.filter((e) => e.type === 'invoice.update')).toHaveLength(ACME);
    expect(parsed[0]!.time >= parsed.at(-1)!.time).toBe(true);
  });

  it('exports nothing of another tenant, even asked by filter, and hides the other tenant manifests', async () => {
    const asked = await exportOf('format=ndjson&q=tenant:globex');
    expect(asked.body.length).toBe(0);
    expect(asked.manifest).toMatchObject({ complete: true, count: 0, firstId: null });
    const theirs = await exportOf('format=ndjson', c.keys.globex);
    expect(theirs.manifest.count).toBe(50);
    const peek = await c.api(`/api/export/${theirs.manifest.exportId}/manifest`, { key: c.keys.acme });
    expect(peek.status).toBe(404);
  });

  it('needs the export scope and a filter that parses', async () => {
    expect((await exportOf('format=csv', c.keys.reader)).status).toBe(403);
    const bad = await c.api('/api/export?format=xml', { key: c.keys.acme });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].field).toMatch(/^querystring\/format/);
    const q = await c.api(`/api/export?q=${encodeURIComponent('since:yesterday')}`, { key: c.keys.acme });
    expect(q.status).toBe(400);
  });

  it('records each export and its manifest in the trail', async () => {
    const events = await c.consoleEvents();
    const finished = events.filter((e) => e.type === 'console.export.finished');
    expect(finished.length).toBeGreaterThanOrEqual(4);
    expect(finished[0]!.details!.manifest).toMatchObject({ complete: true, count: ACME, tenant: 'acme' });
    expect(events.filter((e) => e.type === 'console.export').length).toBe(finished.length);
  });
});
