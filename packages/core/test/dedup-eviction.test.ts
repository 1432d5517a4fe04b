import { testLogger } from './helpers';

describe('dedup memory bound', () => {
  it('holds at most maxKeys windows; the oldest is closed with its summary to make room', async () => {
    const { logger, sink } = testLogger({ dedup: { maxKeys: 2, windowMs: 60_000 } });
    const log = (id: string) => logger.log({ type: 'doc.read', resource: { type: 'doc', id } });
    log('a');
    log('a');
    log('a');
    log('b');
    log('b');
    expect(logger.stats().dedup).toEqual({ open: 2, summaries: 0 });
    log('c'); // evicts a: its summary (count 2) is recorded now
    expect(logger.stats().dedup).toEqual({ open: 2, summaries: 1 });
    log('a'); // a's window is gone: recorded again, evicting b
    log('c');
    await logger.close();
    expect(sink.events.map((e) => [e.resource!.id, e.count ?? 1])).toEqual([
      ['a', 1],
      ['b', 1],
      ['a', 2],
      ['c', 1],
      ['b', 1],
      ['a', 1],
      ['c', 1],
    ]);
    expect(logger.stats()).toMatchObject({
      logged: 8,
      deduplicated: 1,
      queued: 7,
      dedup: { open: 0, summaries: 3 },
    });
  });
});
