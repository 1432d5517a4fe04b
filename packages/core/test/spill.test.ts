/** Overflow policy `spill`: queue overflow goes to disk and comes back in order. */
import { createAuditLogger, fileSink } from '../src';
import { readEvents, tempDir } from './sink-helpers';

describe('spill', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it('spills queue overflow to disk and delivers it in order, dropping nothing', async () => {
    const path = `${tmp.dir}/spill.jsonl`;
    let release: () => void = () => {};
    let gate = new Promise<void>((r) => (release = r));
    const file = fileSink({ path });
    const slow = {
      name: 'file',
      write: async (b: Parameters<typeof file.write>[0]) => {
        await gate;
        await file.write(b);
      },
      close: () => file.close(),
    };
    const logger = createAuditLogger({
      service: 'spill',
      flushOnExit: false,
      sinks: [slow],
      spool: { dir: `${tmp.dir}/spill-spool` },
      queue: { maxEvents: 50, overflow: 'spill' },
      batch: { maxEvents: 20, maxWaitMs: 1 },
    });
    // The spool is open once the sink's stats show it.
    while (!logger.stats().sinks[0]!.spool) await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 500; i++) logger.log({ type: 'burst', details: { i } });
    await new Promise((r) => setImmediate(r));
    // Counts checked: 500 logged; at most 50 in memory, the rest spilled; none dropped.
    const during = logger.stats();
    expect(during.queue.spilled).toBeGreaterThanOrEqual(450);
    expect(during.dropped).toBe(0);
    release();
    gate = Promise.resolve();
    await logger.close();
    const events = readEvents(path);
    expect(events.map((e) => e.details!.i)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(events.map((e) => e.integrity!.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(logger.stats()).toMatchObject({ dropped: 0, queue: { events: 0, spilled: 0 } });
  });
});
