import { revokeApiKey } from '@auditkit/server';
import { type RunningConsole, startConsole } from './helpers';

let c: RunningConsole;
beforeAll(async () => {
  c = await startConsole({
    keys: { doomed: { tenant: 'acme', scopes: ['export'] }, auditor: { tenant: '*', scopes: ['export'] } },
  });
  const inputs = Array.from({ length: 3000 }, (_, i) => ({
    type: 'bulk.item',
    tenant: 'acme',
    details: { i, pad: 'x'.repeat(4000) },
  }));
  for (let i = 0; i < inputs.length; i += 1000) await c.seed(inputs.slice(i, i + 1000));
}, 60_000);
afterAll(() => c.close());

describe('an export whose key is revoked mid-way', () => {
  it('ends early, and its manifest says incomplete and is not signed', async () => {
    const r = await fetch(`${c.url}/api/export?format=ndjson`, {
      headers: { authorization: `Bearer ${c.keys.doomed}` },
    });
    const reader = r.body!.getReader();
    await reader.read(); // the export is under way; the client stops reading for a while
    await revokeApiKey(c.keysPath, c.keys.doomed!.split('_')[1]!);
    await new Promise((resolve) => setTimeout(resolve, 800));
    let bytes = 0;
    let failed = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.length;
      }
    } catch {
      failed = true; // the connection was cut mid-body
    }
    const manifest = await c.api(r.headers.get('x-auditkit-manifest')!, { key: c.keys.auditor });
    expect(manifest.json).toMatchObject({ complete: false });
    expect(manifest.json.signature).toBeUndefined();
    expect(manifest.json.count).toBeLessThan(3000);
    expect(failed || bytes < 3000 * 4000).toBe(true);
    const finished = (await c.consoleEvents()).find((e) => e.type === 'console.export.finished');
    expect(finished).toMatchObject({ outcome: 'failure', details: { manifest: { complete: false } } });
  });
});
