import { type AuditEvent, EXPORT_COLUMNS, exportRow } from '@auditkit/core';
import { type ExportManifest, verifyExportManifest } from '@auditkit/server';
import { stringify } from 'csv-stringify/sync';
import { type RunningConsole, startConsole } from './helpers';

// The console writes CSV rows itself; they must be the bytes csv-stringify writes (as `auditkit
// export` does), quoting and formula defusing included, across page boundaries.
let c: RunningConsole;
const MESSAGES = [
  'plain',
  'a, comma',
  'a "quoted" word',
  'two\nlines',
  'carriage\rreturn',
  'crlf\r\nend',
  '=SUM(A1:A2)',
  '+1',
  '-1',
  '@cmd',
  '\ttab first',
  'ünïcödé, "mixed"\n',
  '',
];
const COUNT = 2500; // more than two store pages
beforeAll(async () => {
  c = await startConsole({ keys: { all: { tenant: '*', scopes: ['export'] } } });
  await c.seed(
    Array.from({ length: COUNT }, (_, i) => ({
      type: 'csv.row',
      tenant: i % 2 ? 'acme' : 'globex',
      message: MESSAGES[i % MESSAGES.length]!,
      actor: { type: 'user', id: i % 5 === 0 ? 'o"brien, pat' : `u-${i}` },
    })),
  );
});
afterAll(() => c.close());

async function exportOf(format: string) {
  const r = await fetch(`${c.url}/api/export?format=${format}&q=type:csv.row`, {
    headers: { authorization: `Bearer ${c.keys.all}` },
  });
  const body = Buffer.from(await r.arrayBuffer());
  const m = await c.api(r.headers.get('x-auditkit-manifest')!, { key: c.keys.all });
  return { body, manifest: m.json as ExportManifest };
}

it('writes CSV byte for byte as csv-stringify does, every row once, under a signed manifest', async () => {
  const csv = await exportOf('csv');
  const ndjson = await exportOf('ndjson');
  const events = ndjson.body
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as AuditEvent);
  expect(events).toHaveLength(COUNT);
  const defuse = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
  const expected = stringify(
    events.map((e) => exportRow(e).map(defuse)),
    { header: true, columns: [...EXPORT_COLUMNS] },
  );
  expect(csv.body.toString('utf8')).toBe(expected);
  expect(csv.manifest).toMatchObject({ complete: true, count: COUNT, bytes: csv.body.length });
  expect(await verifyExportManifest(csv.body, csv.manifest, [c.signing.publicKeyPem])).toMatchObject({
    ok: true,
  });
});
