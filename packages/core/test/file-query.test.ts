/** The file sink as an AuditStore: query with filters and cursors, get, stats, chain heads, by scanning its files. */
import { join } from 'node:path';
import { createAuditLogger, fileSink } from '../src';
import { tempDir } from './sink-helpers';

describe('file sink queries', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());
  const path = join(tmp.dir, 'audit.jsonl');
  const ids: string[] = [];

  beforeAll(async () => {
    // Small files, so rotated (and gzipped) files are scanned too.
    const logger = createAuditLogger({
      service: 'q',
      flushOnExit: false,
      sinks: [fileSink({ path, maxSize: 4096 })],
    });
    for (let i = 0; i < 60; i++) {
      ids.push(
        logger.log({
          type: i % 3 === 0 ? 'user.login' : 'order.paid',
          outcome: i % 10 === 0 ? 'failure' : 'success',
          tenant: i % 2 === 0 ? 'acme' : 'globex',
          actor: { type: 'user', id: `u-${i % 4}` },
          resource: { type: 'order', id: `ord-${i}` },
          message: i === 7 ? 'Refund Approved by manager' : 'routine',
          time: new Date(Date.UTC(2026, 0, 1, 0, i)),
        })!,
      );
    }
    await logger.close();
  });

  it('filters like the database stores and pages newest first with a cursor', async () => {
    const sink = fileSink({ path });
    const all = [];
    let cursor: string | undefined;
    do {
      const page = await sink.query({ tenant: 'acme', types: ['order.paid'], limit: 7, cursor });
      all.push(...page.events);
      cursor = page.nextCursor;
    } while (cursor);
    // Counts checked: 60 events; acme (even i) and order.paid (i not divisible by 3): 20 of them.
    const expected = ids.filter((_, i) => i % 2 === 0 && i % 3 !== 0).reverse();
    expect(all.map((e) => e.id)).toEqual(expected);
    const text = await sink.query({ text: 'refund approved' });
    expect(text.events.map((e) => e.id)).toEqual([ids[7]]);
    const window = await sink.query({
      from: '2026-01-01T00:10:00.000Z',
      to: '2026-01-01T00:20:00.000Z',
      outcomes: ['failure'],
    });
    expect(window.events.map((e) => e.id)).toEqual([ids[10]]);
    expect(await sink.get(ids[33]!)).toMatchObject({ id: ids[33], resource: { id: 'ord-33' } });
    expect(await sink.get('missing')).toBeUndefined();
    await expect(sink.query({ cursor: 'not-a-cursor' })).rejects.toThrow('fileSink: invalid cursor');
    await sink.close();
  });

  it('counts by type, outcome, actor, resource and time bucket, and knows the chain head', async () => {
    const sink = fileSink({ path });
    const stats = await sink.stats({ tenant: 'globex', bucket: 'hour' });
    expect(stats.total).toBe(30);
    expect(stats.byType).toEqual({ 'user.login': 10, 'order.paid': 20 });
    expect(stats.byOutcome).toEqual({ success: 30 });
    expect(stats.byActor).toEqual({ 'u-1': 15, 'u-3': 15 });
    expect(Object.keys(stats.byResource)).toHaveLength(30);
    expect(stats.byResource).toMatchObject({ 'ord-1': 1, 'ord-59': 1 });
    expect(stats.byCategory).toEqual({ business: 30 });
    expect(stats.overTime).toEqual([
      { start: '2026-01-01T00:00:00.000Z', count: 30, byOutcome: { success: 30 } },
    ]);
    const heads = await sink.chainHeads();
    expect(heads).toHaveLength(1);
    expect(heads[0]!.seq).toBe(59);
    expect(heads[0]!.eventId).toBe(ids[59]);
    await expect(sink.applyRetention({ default: 1 })).rejects.toThrow(/maxFiles/);
    await sink.close();
  });
});
