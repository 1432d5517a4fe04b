import { type RunningConsole, startConsole } from './helpers';

let c: RunningConsole;
beforeAll(async () => {
  c = await startConsole({
    keys: { all: { tenant: '*', scopes: ['read'] }, acme: { tenant: 'acme', scopes: ['read'] } },
  });
});
afterAll(() => c.close());

describe('GET /api/retention', () => {
  it("names the store's policy and the oldest event inside the key's tenant wall", async () => {
    const [globexId, acmeId] = await c.seed([
      { type: 'first', tenant: 'globex' },
      { type: 'second', tenant: 'acme' },
    ]);
    const all = await c.api('/api/retention', { key: c.keys.all });
    expect(all.status).toBe(200);
    expect(all.json).toMatchObject({
      store: { name: 'file' },
      described: true,
      files: { maxFiles: 0, maxFileBytes: 100 * 1024 * 1024, rotateDaily: true },
      enforcement: expect.stringMatching(/never deleted/),
      oldest: { id: globexId },
    });
    const acme = await c.api('/api/retention', { key: c.keys.acme });
    expect(acme.json.oldest.id).toBe(acmeId);
    expect((await c.api('/api/retention')).status).toBe(401);
    const recorded = await c.consoleEvents();
    expect(recorded.filter((e) => e.type === 'console.retention')).toHaveLength(2);
  });
});
