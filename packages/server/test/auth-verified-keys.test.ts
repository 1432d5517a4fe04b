import { type RunningConsole, startConsole } from './helpers';

// A key that authenticated once is recognised again without hashing: only the very same key.
let c: RunningConsole;
beforeAll(async () => {
  c = await startConsole({ keys: { reader: { tenant: 'acme', scopes: ['read'] } } });
});
afterAll(() => c.close());

/** The reader's key with its secret changed in one character (same id, same length). */
function forged(): string {
  const key = c.keys.reader!;
  const last = key.at(-1) === 'A' ? 'B' : 'A';
  return key.slice(0, -1) + last;
}

it('keeps accepting a used key and refuses the same id with another secret, before and after use', async () => {
  expect((await c.api('/api/events?limit=1', { key: forged() })).status).toBe(401);
  for (let i = 0; i < 3; i++)
    expect((await c.api('/api/events?limit=1', { key: c.keys.reader })).status).toBe(200);
  expect((await c.api('/api/events?limit=1', { key: forged() })).status).toBe(401);
  expect((await c.api('/api/events?limit=1', { key: `${c.keys.reader}A` })).status).toBe(401);
  expect((await c.api('/api/events?limit=1', { key: c.keys.reader!.slice(0, -1) })).status).toBe(401);
  expect((await c.api('/api/export', { key: c.keys.reader })).status).toBe(403);
  expect((await c.api('/api/events?limit=1', { key: c.keys.reader })).status).toBe(200);
  const failures = (await c.consoleEvents()).filter((e) => e.type === 'console.auth.failed');
  expect(failures).toHaveLength(4);
});
