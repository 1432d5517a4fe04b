/** The file store's export path: passes of many pages over the files, still every match once, in order. */
import { join } from 'node:path';
import { contractEvents, sorted, writeAll } from '@auditkit/test-utils';
import { fileSink } from '../src';
import { tempDir } from './sink-helpers';

describe('fileSink iterate', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it('reads more than one pass worth (10,000) in both orders with no duplicate or gap', async () => {
    const events = contractEvents(23_000, 5);
    const sink = fileSink({ path: join(tmp.dir, 'big.jsonl') });
    await writeAll(sink, events);
    // A replayed batch: the same events twice in the file.
    await writeAll(sink, events.slice(0, 500));
    for (const order of ['asc', 'desc'] as const) {
      const seen: string[] = [];
      for await (const e of sink.iterate({ order })) seen.push(e.id);
      expect(seen).toEqual(sorted(events, order).map((e) => e.id));
    }
    const acme: string[] = [];
    for await (const e of sink.iterate({ tenant: 'acme', filter: '-outcome:success' })) acme.push(e.id);
    expect(acme).toEqual(
      sorted(
        events.filter((e) => e.tenant === 'acme' && e.outcome !== 'success'),
        'asc',
      ).map((e) => e.id),
    );
    await expect(async () => {
      for await (const _ of sink.iterate({ pageSize: 0 })) break;
    }).rejects.toThrow(/fileSink: pageSize must be an integer from 1 to 1000, got the number 0/);
    await sink.close();
  }, 60_000);
});
