/**
 * Durable mode survives SIGKILL: a producer acknowledges events only once they are fsynced in the
 * spool; it is killed under load (with the store cut off for part of the run, so some events are
 * only in the spool), restarted, and every acknowledged event is then in the store, once.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { startTcpProxy } from '@auditkit/test-utils';
import { PG, pool, tempDir, testSchema, verifyChains, waitFor } from './delivery/helpers';

function producer(env: Record<string, string>): ChildProcess {
  return fork(join(__dirname, 'fixtures', 'durable-producer.js'), {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

describe('durable mode and SIGKILL', () => {
  const db = testSchema();
  afterAll(() => db.drop());

  it('every acknowledged event reaches the store after a restart', async () => {
    const direct = pool();
    await db.store(direct).migrate();
    await direct.end();
    const proxy = await startTcpProxy({ host: PG.host, port: PG.port });
    const env = { PG_PORT: String(proxy.port), SCHEMA: db.schema, SPOOL_DIR: tempDir('durable') };

    const acked: string[] = [];
    const child = producer(env);
    child.on('message', (m: { ack?: string }) => {
      if (m.ack) acked.push(m.ack);
    });
    await waitFor(() => acked.length >= 1500, 20_000, '1500 acknowledged events');
    proxy.cut(); // from here on acknowledged events live only in the spool
    const atCut = acked.length;
    await waitFor(() => acked.length >= atCut + 1500, 20_000, '1500 more acknowledged events');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    proxy.restore();

    const restarted = producer({ ...env, RECOVER: '1' });
    const done = await new Promise<{ done: { replayed: number; failed: number } }>((resolve) =>
      restarted.on('message', (m: { done?: unknown }) => m.done && resolve(m as never)),
    );
    await new Promise((r) => restarted.once('exit', r));
    await proxy.close();

    // Counts checked: every acknowledged id is stored; rows equal distinct ids; the restart replayed
    // at least the events acknowledged after the cut.
    const events = await db.events();
    const stored = new Set(events.map((e) => e.id));
    expect(acked.length).toBeGreaterThanOrEqual(3000);
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);
    expect(await db.counts()).toEqual({ rows: stored.size, distinct: stored.size });
    expect(done.done.replayed).toBeGreaterThanOrEqual(acked.length - atCut);
    expect(done.done.failed).toBe(0);
    expect(verifyChains(events).breaks).toEqual([]);
  }, 60_000);
});
