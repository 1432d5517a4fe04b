/** Durable mode: `logDurable()` resolves once the event is on disk in the spool. */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { createAuditLogger, memorySink } from '../src';
import { durableLogger, scriptedSink } from './helpers';
import { tempDir } from './sink-helpers';

describe('durable mode', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it('acknowledges an event only when it is in the spool segment on disk, then delivers it', async () => {
    const spool = join(tmp.dir, 'durable');
    const { logger, sink } = durableLogger(spool);
    const ids = await Promise.all(
      Array.from({ length: 50 }, (_, i) => logger.logDurable({ type: 'consent.given', details: { i } })),
    );
    const segment = fs.readFileSync(join(spool, 'sinks', 'memory', '000000000001.seg'), 'latin1');
    // Counts checked: 50 acknowledged ids, each already in the segment file, each delivered once.
    expect(ids.every((id) => typeof id === 'string' && segment.includes(id))).toBe(true);
    await logger.flush();
    expect(sink.events.map((e) => e.id).sort()).toEqual([...ids].sort());
    expect(sink.events.map((e) => e.integrity!.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    await logger.close();
  });

  it('keeps acknowledged events for a sink that is down, for the next process', async () => {
    const spool = join(tmp.dir, 'down');
    const down = scriptedSink('store', () => {
      throw new Error('unreachable');
    });
    const options = {
      service: 'd',
      flushOnExit: false,
      durable: true,
      spool: { dir: spool },
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 100 },
      breaker: { failureThreshold: 1, cooldownMs: 60_000 },
      onError: () => {},
    };
    const first = createAuditLogger({ ...options, sinks: [down] });
    const ids = await Promise.all([1, 2, 3].map((i) => first.logDurable({ type: 'x', details: { i } })));
    await first.close();
    expect(first.stats().sinks[0]).toMatchObject({ spooled: 3, delivered: 0, failed: 0 });
    const up = memorySink({ name: 'store' });
    const second = createAuditLogger({ ...options, sinks: [up] });
    await second.close();
    expect(up.events.map((e) => e.id)).toEqual(ids);
  });

  it('on a logger without durable mode, resolves once the event was delivered', async () => {
    const sink = memorySink();
    const logger = createAuditLogger({ service: 'd', flushOnExit: false, sinks: [sink] });
    const id = await logger.logDurable({ type: 'y' });
    expect(sink.events.map((e) => e.id)).toEqual([id]);
    await logger.close();
  });

  it('refuses durable mode or spill without a spool, at construction', () => {
    expect(() => createAuditLogger({ durable: true, sinks: [memorySink()] })).toThrow(
      /need the `spool` option/,
    );
    expect(() => createAuditLogger({ queue: { overflow: 'spill' }, sinks: [memorySink()] })).toThrow(
      TypeError,
    );
  });
});
