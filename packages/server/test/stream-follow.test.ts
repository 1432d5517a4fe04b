import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createAuditLogger, fileSink, fileStore } from '@auditkit/core';
import { openStream, type RunningConsole, startConsole } from './helpers';

let c: RunningConsole;
beforeAll(async () => {
  c = await startConsole({
    keys: { acme: { tenant: 'acme', scopes: ['read'] } },
    store: (dir) => fileStore(dir, { file: 'console.jsonl' }),
    follow: true,
  });
});
afterAll(() => c.close());

describe('following files other writers append to', () => {
  it('streams their new lines, across rotations, each once, inside the tenant wall', async () => {
    const s = openStream(c.url, { key: c.keys.acme, q: 'type:shop.*' });
    await s.next((m) => m.type === 'subscribed');
    // Another writer of the same directory, rotating every few kilobytes.
    const app = createAuditLogger({
      service: 'shop',
      instance: 'w-1',
      flushOnExit: false,
      batch: { maxWaitMs: 1, maxEvents: 10 },
      sinks: [fileSink({ path: join(c.dir, 'audit.jsonl'), maxSize: 4096, gzip: false })],
    });
    const n = 60;
    for (let i = 0; i < n; i++) {
      app.log({ type: 'shop.order', tenant: i % 3 === 0 ? 'globex' : 'acme', details: { i } });
      if (i % 10 === 9) {
        await app.flush();
        // A file written and rotated away within one poll is not streamed (it is in the store).
        await new Promise((r) => setTimeout(r, 300));
      }
    }
    await app.close();
    expect(
      readdirSync(c.dir).filter((f) => /^audit\.\d{8}T\d{6}Z\.\d+\.jsonl$/.test(f)).length,
    ).toBeGreaterThan(2);
    const expected = [...Array(n).keys()].filter((i) => i % 3 !== 0);
    await s.next((m) => m.type === 'event' && m.event.details.i === expected.at(-1), 5000);
    const got = s.messages.filter((m) => m.type === 'event').map((m) => m.event.details.i);
    expect(got).toEqual(expected);
    // The store reads every set of the directory, so the same events are searchable.
    const page = await c.store.query({ filter: 'type:shop.order', tenant: 'acme', limit: 1000 });
    expect(page.events).toHaveLength(expected.length);
    s.ws.close();
  });
});
