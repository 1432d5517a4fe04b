/**
 * A primary PostgreSQL store made unreachable under load (a TCP proxy in front of the shared
 * server is cut, then restored): batches go to the disk spool while the circuit is open and are
 * replayed in order; every event arrives exactly once and the chain verifies.
 */
import { createAuditLogger } from '@auditkit/core';
import { startTcpProxy } from '@auditkit/test-utils';
import { PG, pool, tempDir, testSchema, verifyChains, waitFor } from './delivery/helpers';

describe('a primary store down under load', () => {
  const db = testSchema();
  afterAll(() => db.drop());

  it('loses nothing and duplicates nothing: spooled while down, replayed once after recovery', async () => {
    const proxy = await startTcpProxy({ host: PG.host, port: PG.port });
    const proxied = pool(proxy.port);
    const store = db.store(proxied);
    await store.migrate();
    const errors: string[] = [];
    const logger = createAuditLogger({
      service: 'outage',
      instance: 'o-1',
      flushOnExit: false,
      sinks: [store],
      spool: { dir: tempDir('outage') },
      batch: { maxEvents: 200, maxWaitMs: 5 },
      retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20, timeoutMs: 1000 },
      breaker: { failureThreshold: 2, cooldownMs: 150 },
      onError: (e) => errors.push(e.message),
    });
    const total = 6000;
    const ids: string[] = [];
    let sawOpen = false;
    for (let i = 0; i < total; i++) {
      if (i === 1500) proxy.cut();
      if (i === 4500) {
        await waitFor(() => (logger.stats().sinks[0]!.spool?.events ?? 0) > 0, 5000, 'batches to be spooled');
        sawOpen = logger.stats().sinks[0]!.breaker === 'open' || sawOpen;
        proxy.restore();
      }
      ids.push(logger.log({ type: 'order.paid', resource: { type: 'order', id: `o-${i}` } })!);
      if (i % 100 === 99) {
        await new Promise((r) => setTimeout(r, 2)); // ~3 s of steady load
        if (logger.stats().sinks[0]!.breaker === 'open') sawOpen = true;
      }
    }
    await waitFor(
      () => {
        const s = logger.stats();
        const sink = s.sinks[0]!;
        return s.queue.events === 0 && sink.spool!.records === 0 && sink.delivered + sink.replayed! >= total;
      },
      20_000,
      'the spool to drain',
    );
    await logger.close();
    await proxied.end();
    await proxy.close();

    const s = logger.stats().sinks[0]!;
    expect(sawOpen).toBe(true);
    expect(s.spooled).toBeGreaterThan(0);
    expect(s.replayed).toBe(s.spooled);
    expect(s.failed).toBe(0);
    expect(logger.stats().dropped).toBe(0);
    expect(errors.some((m) => m.includes('opened'))).toBe(true);

    // Counts checked: 6000 logged ids, 6000 rows, 6000 distinct ids, every logged id among them.
    const counts = await db.counts();
    expect(counts).toEqual({ rows: total, distinct: total });
    const events = await db.events();
    const stored = new Set(events.map((e) => e.id));
    expect(ids.filter((id) => !stored.has(id))).toEqual([]);
    const report = verifyChains(events);
    expect(report.breaks).toEqual([]);
    expect(report.ok).toBe(true);
  }, 40_000);
});
