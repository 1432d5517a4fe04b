/** A primary sink that stops answering: the spool takes over at once, memory stays flat, nothing is lost. */
import { createAuditLogger } from '../src';
import { scriptedSink } from './helpers';
import { tempDir } from './sink-helpers';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a primary sink that hangs', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it('spools while a write is outstanding, reports it, fails fast at the timeout and loses nothing', async () => {
    let hung = true;
    const store = scriptedSink('store', () => (hung ? new Promise<void>(() => {}) : undefined));
    const logger = createAuditLogger({
      service: 'h',
      flushOnExit: false,
      sinks: [store],
      spool: { dir: `${tmp.dir}/spool`, fsync: false },
      batch: { maxEvents: 100, maxWaitMs: 5 },
      // A small queue: before, it filled at 1.5 s and events were dropped while the spool stood empty.
      queue: { maxEvents: 1500 },
      retry: { attempts: 5, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 2500 },
      breaker: { failureThreshold: 3, cooldownMs: 1000 },
      integrity: { checkpointEvery: 0, checkpointIntervalMs: 0 },
      onError: () => {},
    });
    const ids: string[] = [];
    let maxQueue = 0;
    const spooled = () => logger.stats().sinks[0]!.spool!.events;
    const logFor = async (ms: number) => {
      for (const end = Date.now() + ms; Date.now() < end; ) {
        for (let i = 0; i < 10; i++)
          ids.push(logger.log({ type: 'order.updated', details: { n: ids.length } })!);
        maxQueue = Math.max(maxQueue, logger.stats().queue.events);
        await wait(10);
      }
    };

    await logFor(1200);
    // The first batch's write is outstanding; after 1 s unanswered, the rest goes to disk, not memory
    // (however many a loaded machine logged by then: all but at most the batch being handed over).
    for (let waited = 0; spooled() < ids.length - 100 && waited < 500; waited += 10) await wait(10);
    const hanging = logger.health();
    expect(hanging.status).toBe('degraded');
    expect(hanging.reasons.join('\n')).toMatch(/sink "store" has not answered a write for \d+ ms/);
    expect(ids.length).toBeGreaterThan(200);
    expect(spooled()).toBeGreaterThanOrEqual(ids.length - 100);

    await logFor(1400);
    // Past the timeout: one failure opens the circuit at once, no retries of a hung write.
    const failing = logger.health();
    expect(failing.status).toBe('failing');
    expect(failing.reasons.join('\n')).toMatch(
      /circuit for sink "store" is open: .*did not finish a write within 2500 ms/,
    );
    expect(store.calls).toBe(1);
    expect(maxQueue).toBeLessThan(1500);
    expect(logger.stats().dropped).toBe(0);

    hung = false;
    await logFor(300);
    // After the cool-down a probe finds the sink back, and the spool drains in order.
    for (let waited = 0; logger.stats().sinks[0]!.spool!.events > 0 && waited < 5000; waited += 50)
      await wait(50);
    await logger.close();
    const s = logger.stats();
    expect(s).toMatchObject({ logged: ids.length, queued: ids.length, dropped: 0 });
    // Every event reached the sink once, in the order it was logged.
    expect(store.received.flatMap((b) => b.events.map((e) => e.id))).toEqual(ids);
    const sink = s.sinks[0]!;
    expect(sink).toMatchObject({ failed: 0, inFlight: 0, breaker: 'closed' });
    expect(sink.queued).toBe(sink.delivered + sink.failed + sink.spooled! + sink.inFlight!);
    expect(sink.replayed).toBe(sink.spooled);
  });
});
