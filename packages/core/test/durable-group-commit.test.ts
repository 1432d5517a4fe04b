/**
 * Durable mode group-commits: events logged together share one spool record (one write and one
 * fsync), also while the spool is still opening, and the next group collects while one is written.
 */
import { join } from 'node:path';
import { createAuditLogger } from '../src';
import { scriptedSink } from './helpers';
import { tempDir } from './sink-helpers';

describe('durable mode: group commit', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  /** A sink that is down, so every record stays in the spool where stats count it. */
  const down = () =>
    scriptedSink('store', () => {
      throw new Error('unreachable');
    });
  const options = (dir: string) => ({
    service: 'd',
    flushOnExit: false,
    durable: true,
    spool: { dir: join(tmp.dir, dir) },
    retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 100 },
    breaker: { failureThreshold: 1, cooldownMs: 60_000 },
    onError: () => {},
  });

  it('writes what is logged while the spool opens as a few records, not one per event', async () => {
    const logger = createAuditLogger({ ...options('opening'), sinks: [down()] });
    // Logged at once, before the spool directory even exists.
    const acks = Array.from({ length: 3000 }, (_, i) => logger.logDurable({ type: 'x', details: { i } }));
    const ids = await Promise.all(acks);
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    const spool = logger.stats().sinks[0]!.spool!;
    // Counts checked: every event is in the spool, in at most one
    // record per batch of 1,000.
    expect(spool.events).toBe(3000);
    expect(spool.records).toBeLessThanOrEqual(4);
    await logger.close();
  });

  it('groups events logged across many turns of the event loop while a commit is in flight', async () => {
    const logger = createAuditLogger({ ...options('steady'), sinks: [down()] });
    await logger.logDurable({ type: 'warm' });
    const acks: Array<Promise<string | undefined>> = [];
    for (let turn = 0; turn < 200; turn++) {
      for (let i = 0; i < 10; i++) acks.push(logger.logDurable({ type: 'x', details: { turn, i } }));
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(acks);
    const spool = logger.stats().sinks[0]!.spool!;
    expect(spool.events).toBe(2001);
    // 200 turns of 10 events: far fewer fsyncs than turns, let alone events.
    expect(spool.records).toBeLessThan(200);
    await logger.close();
  });
});
