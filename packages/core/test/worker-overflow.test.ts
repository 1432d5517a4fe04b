import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLogger, fileSink } from '../src';
import { loggedIndexes, workerSuite } from './worker-helpers';

/** A burst far larger than the ring and the queue, logged in one turn: the worker cannot keep up. */
const BURST = 20_000;

workerSuite('worker option: a full ring and the overflow policy', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'auditkit-worker-overflow-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const logger = (overflow: 'drop' | 'block') =>
    createAuditLogger({
      service: 'worker-overflow',
      sinks: [fileSink({ path: join(dir, 'audit.jsonl') })],
      integrity: false,
      queue: { maxEvents: 500, overflow },
      worker: { ringBytes: 64 * 1024 },
      onError: () => {},
    });

  it('drop: what does not fit is dropped and counted; everything else is written', async () => {
    const audit = logger('drop');
    const ids = Array.from({ length: BURST }, (_, i) => audit.log({ type: 'burst.event', details: { i } }));
    await audit.close();
    const kept = ids.filter((id) => id !== undefined).length;
    const stats = audit.stats();
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.dropped + kept).toBe(BURST);
    const written = loggedIndexes(join(dir, 'audit.jsonl'));
    expect(written).toHaveLength(kept);
    expect(stats.sinks[0]!.delivered).toBe(kept);
    // Order kept: those written are in log order.
    expect([...written].sort((a, b) => a - b)).toEqual(written);
  });

  it('block: events wait on the caller, adapters see the logger congested, none is lost', async () => {
    const audit = logger('block');
    for (let i = 0; i < BURST; i++) audit.log({ type: 'burst.event', details: { i } });
    expect(audit.congested).toBe(true);
    await audit.whenWritable();
    expect(audit.congested).toBe(false);
    await audit.close();
    expect(audit.stats().dropped).toBe(0);
    expect(loggedIndexes(join(dir, 'audit.jsonl'))).toEqual(Array.from({ length: BURST }, (_, i) => i));
  });
});
