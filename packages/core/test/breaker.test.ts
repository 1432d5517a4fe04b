/** The circuit breaker per sink, and primary versus best-effort sinks. */
import { type AuditError, createAuditLogger, memorySink } from '../src';
import { scriptedSink } from './helpers';
import { tempDir } from './sink-helpers';

const retry = { attempts: 2, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 200 };

describe('circuit breaker and sink roles', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it('opens after consecutive failed batches, skips a best-effort sink while open, closes after a good probe', async () => {
    let down = true;
    const flaky = scriptedSink('webhook', () => {
      if (down) throw new Error('connection refused');
    });
    const primary = memorySink();
    const errors: AuditError[] = [];
    const logger = createAuditLogger({
      service: 'b',
      flushOnExit: false,
      sinks: [primary, { sink: flaky, primary: false }],
      retry,
      breaker: { failureThreshold: 2, cooldownMs: 100 },
      onError: (e) => errors.push(e),
    });
    for (let b = 0; b < 4; b++) {
      logger.log({ type: 'batch', details: { b } });
      await logger.flush();
    }
    // Two batches tried (2 attempts each), then the circuit opened: two skipped without a call.
    expect(flaky.calls).toBe(4);
    let s = logger.stats().sinks[1]!;
    expect(s).toMatchObject({ primary: false, breaker: 'open', failed: 4, skipped: 2 });
    expect(logger.health().status).toBe('failing');
    expect(errors.some((e) => e.message.includes('circuit for sink "webhook" opened'))).toBe(true);

    down = false;
    await new Promise((r) => setTimeout(r, 120));
    logger.log({ type: 'probe' });
    await logger.flush();
    s = logger.stats().sinks[1]!;
    expect(s).toMatchObject({ breaker: 'closed', delivered: 1, failed: 4 });
    // The primary sink got everything; best-effort failures were never spooled.
    expect(primary.events.map((e) => e.type)).toEqual(['batch', 'batch', 'batch', 'batch', 'probe']);
    expect(logger.stats().sinks[0]).toMatchObject({ primary: true, delivered: 5, failed: 0 });
    await logger.close();
  });

  it('sends a primary sink’s batches straight to the spool while its circuit is open, replays them in order', async () => {
    let down = true;
    const store = scriptedSink('store', () => {
      if (down) throw new Error('store unreachable');
    });
    const logger = createAuditLogger({
      service: 'b',
      flushOnExit: false,
      sinks: [store],
      spool: { dir: `${tmp.dir}/spool` },
      retry,
      // A cool-down longer than five flushes take on a loaded machine, so none of them is a probe.
      breaker: { failureThreshold: 1, cooldownMs: 1000 },
      onError: () => {},
    });
    for (let b = 0; b < 5; b++) {
      logger.log({ type: 'batch', details: { b } });
      await logger.flush();
    }
    // One batch tried (2 attempts) and spooled; the circuit opened; four more spooled without a call.
    expect(store.calls).toBe(2);
    expect(logger.stats().sinks[0]).toMatchObject({ breaker: 'open', spooled: 5, failed: 0 });
    expect(logger.health().reasons).toContain('5 events spooled for sink "store"');
    down = false;
    // After the cool-down the replay probes by itself and drains the spool; new events go direct again.
    await new Promise((r) => setTimeout(r, 1050));
    logger.log({ type: 'after' });
    await logger.flush();
    await logger.close();
    const got = store.received.flatMap((b) => b.events.map((e) => e.details?.b ?? e.type));
    expect(got).toEqual([0, 1, 2, 3, 4, 'after']);
    expect(logger.stats().sinks[0]).toMatchObject({
      breaker: 'closed',
      replayed: 5,
      delivered: 1,
      failed: 0,
    });
  });
});
