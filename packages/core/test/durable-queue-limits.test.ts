/**
 * Durable mode obeys the queue limits: events accepted but not yet on disk count against
 * `queue.maxEvents`/`maxBytes`, are reported in `stats().queue`, and the overflow policy applies.
 */
import { join } from 'node:path';
import { durableLogger } from './helpers';
import { tempDir } from './sink-helpers';

describe('durable mode: queue limits', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it('drops (and counts) what does not fit, and reports the backlog', async () => {
    const { logger, sink } = durableLogger(join(tmp.dir, 'drop'), {
      queue: { maxEvents: 1000, overflow: 'drop' },
      onError: () => {},
    });
    for (let i = 0; i < 100_000; i++) logger.log({ type: 'x', details: { i } });
    const stats = logger.stats();
    // Counts checked: 1,000 wait for the disk, 99,000 were dropped and counted.
    expect(stats.queue.events).toBe(1000);
    expect(stats.queued).toBe(1000);
    expect(stats.dropped).toBe(99_000);
    expect(logger.health().reasons).toContain('queue is full');
    await logger.close();
    expect(sink.events.filter((e) => e.type === 'x')).toHaveLength(1000);
    expect(logger.stats().queue.events).toBe(0);
  });

  it('under overflow "block" tells adapters to wait until the backlog is on disk', async () => {
    const { logger } = durableLogger(join(tmp.dir, 'block'), {
      queue: { maxEvents: 100, overflow: 'block' },
    });
    for (let i = 0; i < 100; i++) logger.log({ type: 'x' });
    expect(logger.congested).toBe(true);
    await logger.whenWritable();
    expect(logger.congested).toBe(false);
    await logger.close();
    expect(logger.stats()).toMatchObject({ queued: 100, dropped: 0 });
  });
});
