import Ajv2020 from 'ajv/dist/2020';
import schema from '../schema/audit-event.v1.json';
import { testLogger } from './helpers';

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const denied = {
  type: 'doc.read',
  category: 'data',
  action: 'read',
  outcome: 'success' as const,
  actor: { type: 'user' as const, id: 'u-1' },
  tenant: 'acme',
  resource: { type: 'doc', id: 'd-1' },
  message: 'document opened',
};

describe('dedup windows', () => {
  it('records the first event at once, counts repeats, and records one summary when the window ends', async () => {
    const c = clock();
    const { logger, sink } = testLogger({ dedup: { windowMs: 1000, now: c.now } });
    const firstId = logger.log(denied);
    expect(firstId).toBeDefined();
    for (let i = 0; i < 4; i++) {
      c.advance(100);
      expect(logger.log({ ...denied, time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) })).toBeUndefined();
    }
    await logger.flush();
    // flush reports what is pending (4 repeats) but keeps the window open.
    c.advance(100);
    logger.log(denied);
    c.advance(1000); // the window has ended: this one opens a new window and is recorded
    const secondId = logger.log(denied);
    await logger.close();

    const [first, summary, laterSummary, second] = sink.events;
    expect(sink.events).toHaveLength(4);
    expect(first!.id).toBe(firstId);
    expect(first!.count).toBeUndefined();
    expect(summary).toMatchObject({
      ...denied,
      count: 4,
      time: '2026-01-01T00:00:00.000Z',
      lastTime: '2026-01-01T00:00:03.000Z',
      repeatOf: firstId,
    });
    expect(summary!.id).not.toBe(firstId);
    expect(laterSummary).toMatchObject({ count: 1, repeatOf: firstId });
    expect(second!.id).toBe(secondId);
    expect(second!.count).toBeUndefined();
    // Every occurrence is accounted for: sum(count ?? 1) equals what was logged.
    expect(sink.events.reduce((n, e) => n + (e.count ?? 1), 0)).toBe(7);
    // Of 5 repeats, 2 became the summaries: 7 logged = 3 deduplicated + 4 queued.
    expect(logger.stats()).toMatchObject({ logged: 7, deduplicated: 3, queued: 4, dedup: { summaries: 2 } });

    const validate = new Ajv2020({ strict: false }).compile(schema);
    for (const e of sink.events) expect(validate(JSON.parse(JSON.stringify(e)))).toBe(true);
  });

  it('only collapses events equal on the chosen fields', async () => {
    const c = clock();
    const { logger, sink } = testLogger({ dedup: { now: c.now } });
    logger.log(denied);
    logger.log({ ...denied, resource: { type: 'doc', id: 'd-2' } });
    logger.log({ ...denied, actor: { type: 'user', id: 'u-2' } });
    logger.log({ ...denied, outcome: 'failure' });
    logger.log({ ...denied, details: { differs: true } }); // details are not a default field
    await logger.close();
    expect(sink.events.map((e) => e.count ?? 1)).toEqual([1, 1, 1, 1, 1]);
    expect(sink.events).toHaveLength(5);
    expect(sink.events[4]).toMatchObject({ count: 1, repeatOf: sink.events[0]!.id });

    const byType = testLogger({ dedup: { now: c.now, fields: ['type'] } });
    for (let i = 0; i < 5; i++) byType.logger.log({ ...denied, resource: { type: 'doc', id: `d-${i}` } });
    await byType.logger.close();
    expect(byType.sink.events.map((e) => e.count)).toEqual([undefined, 4]);
  });

  it('leaves the ids of single occurrences out of the summary and links it to the first', async () => {
    const { logger, sink } = testLogger({ dedup: true });
    for (let i = 0; i < 3; i++)
      logger.log({
        ...denied,
        correlationId: `c-${i}`,
        request: { id: `r-${i}`, method: 'GET', route: '/docs/:id', path: '/docs/d-1', status: 200 },
      });
    await logger.close();
    const [first, summary] = sink.events;
    expect(first).toMatchObject({ correlationId: 'c-0', request: { id: 'r-0' } });
    expect(summary!.count).toBe(2);
    expect(summary!.correlationId).toBeUndefined();
    expect(summary!.request).toEqual({ method: 'GET', route: '/docs/:id', path: '/docs/d-1', status: 200 });
    expect(summary!.integrity!.seq).toBe(first!.integrity!.seq + 1);
  });

  it('rejects bad options at construction', () => {
    expect(() => testLogger({ dedup: { windowMs: 0 } })).toThrow(/dedup\.windowMs/);
    expect(() => testLogger({ dedup: { maxKeys: 0 } })).toThrow(/dedup\.maxKeys/);
    expect(() => testLogger({ dedup: { fields: [] } })).toThrow(/dedup\.fields/);
    expect(() => testLogger({ dedup: { categories: { exclude: 5 as never } } })).toThrow(
      /dedup\.categories\.exclude/,
    );
  });
});
