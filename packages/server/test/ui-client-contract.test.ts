/**
 * Every reply the dashboard's client reads, checked against the schema the served OpenAPI
 * document gives for it: the client's types come from those schemas (api-types.ts), so a reply
 * that left its schema would also leave what the dashboard was type-checked against.
 */
import { createHash } from 'node:crypto';
import Ajv from 'ajv';
import { type RunningConsole, startConsole } from './helpers';

let c: RunningConsole;
let ajv: Ajv;
beforeAll(async () => {
  c = await startConsole({ keys: { admin: { tenant: '*', scopes: ['admin'] } } });
  ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addSchema((await c.api('/api/openapi.json')).json, 'openapi');
});
afterAll(() => c.close());

const pointer = (path: string, method: string, status = 200) =>
  `openapi#/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}/${method}/responses/${status}/content/application~1json/schema`;

/** Fetches `url` and asserts the body is valid against the OpenAPI schema of `route`. */
async function expectValid(route: string, url: string, init: { method?: string; body?: unknown } = {}) {
  const r = await c.api(url, { key: c.keys.admin, ...init });
  expect(r.status).toBe(200);
  const validate = ajv.getSchema(pointer(route, (init.method ?? 'GET').toLowerCase()));
  expect(validate).toBeDefined();
  const ok = validate!(r.json);
  expect(ok ? [] : validate!.errors).toEqual([]);
  return r;
}

describe('the replies the dashboard reads match the served OpenAPI schemas', () => {
  it('search, event with its neighbours, stats, integrity, retention, proof, alerts, export manifest', async () => {
    const [first] = await c.seed([
      { type: 'data.update', actor: { id: 'u-alice' }, resource: { type: 'invoice', id: 'inv-1' } },
      {
        type: 'alert.opened',
        category: 'security',
        resource: { type: 'alert', id: 'al-1' },
        message: 'alert opened: brute force',
      },
      ...Array.from({ length: 6 }, (_, i) => ({ type: 'data.read', actor: { id: `u-${i}` } })),
    ]);
    const page = await expectValid('/api/events', '/api/events?limit=2');
    expect(page.json.nextCursor).toEqual(expect.any(String));
    await expectValid('/api/events/{id}', `/api/events/${first}?around=actor&before=5&after=5`);
    await expectValid('/api/stats', '/api/stats?bucket=minute');
    await expectValid('/api/integrity', '/api/integrity');
    await expectValid('/api/retention', '/api/retention');
    await expectValid('/api/proof/{id}', `/api/proof/${first}`);
    await expectValid('/api/alerts/{id}/{action}', '/api/alerts/al-1/acknowledge', {
      method: 'POST',
      body: {},
    });
    const exported = await c.api('/api/export?format=csv', { key: c.keys.admin });
    const manifest = await expectValid(
      '/api/export/{exportId}/manifest',
      exported.headers.get('x-auditkit-manifest')!,
    );
    expect(manifest.json.sha256).toBe(createHash('sha256').update(exported.text).digest('hex'));
  });

  it('a reply that leaves its schema is caught', async () => {
    const validate = ajv.getSchema(pointer('/api/retention', 'get'))!;
    const r = await c.api('/api/retention', { key: c.keys.admin });
    expect(validate({ ...r.json, enforcement: 7 })).toBe(false);
    const stats = ajv.getSchema(pointer('/api/stats', 'get'))!;
    const s = await c.api('/api/stats', { key: c.keys.admin });
    const { byOutcome: _gone, ...withoutOutcome } = s.json;
    expect(stats(withoutOutcome)).toBe(false);
    // Events are checked against core's published event schema, through its $ref.
    const events = ajv.getSchema(pointer('/api/events', 'get'))!;
    const e = await c.api('/api/events?limit=1', { key: c.keys.admin });
    expect(events(e.json)).toBe(true);
    expect(events({ events: [{ ...e.json.events[0], outcome: 'maybe' }] })).toBe(false);
  });
});
