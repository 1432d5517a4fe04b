import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLogger, fileSink, generateSigningKeys, subscribeSealed, verifyFiles } from '../src';
import type { AuditEvent } from '../src/types';
import { loggedIndexes, workerSuite } from './worker-helpers';

workerSuite('worker option: close()', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'auditkit-worker-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('close() returns once the worker has sealed and written every event, which then verify', async () => {
    const keys = generateSigningKeys();
    const path = join(dir, 'audit.jsonl');
    const logger = createAuditLogger({
      service: 'worker-close',
      sinks: [fileSink({ path, maxSize: 0 })],
      integrity: { signingKey: keys.privateKeyPem, checkpointEvery: 1000 },
      worker: true,
    });
    const count = 20_000;
    for (let i = 0; i < count; i++) {
      logger.log({ type: 'order.updated', details: { i, password: 'hunter2' } });
      if (i % 3000 === 0) await new Promise((r) => setImmediate(r));
    }
    await logger.close();

    expect(loggedIndexes(path)).toEqual(Array.from({ length: count }, (_, i) => i));
    const stats = logger.stats();
    expect(stats.dropped).toBe(0);
    expect(stats.queued).toBe(count);
    // Every event, plus one checkpoint per 1000 and the final one.
    expect(stats.sinks[0]!.delivered).toBe(count + count / 1000 + 1);
    expect(stats.integrity?.seq).toBe(count + count / 1000);
    const report = await verifyFiles([path], { publicKeys: [keys.publicKeyPem], expectClosed: true });
    expect(report.breaks).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.events).toBe(count + count / 1000 + 1);
  });

  it('redaction happens on the caller: the secret never reaches the worker', async () => {
    const path = join(dir, 'audit.jsonl');
    const logger = createAuditLogger({
      service: 'worker-redact',
      sinks: [fileSink({ path })],
      integrity: false,
      worker: true,
    });
    logger.log({ type: 'user.login', details: { password: 'hunter2', card: '4111 1111 1111 1111' } });
    await logger.close();
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('4111 1111 1111 1111');
    expect(text).toContain('[REDACTED]');
  });

  it('flush() waits for the worker; events logged after close() are counted as dropped', async () => {
    const path = join(dir, 'audit.jsonl');
    const logger = createAuditLogger({ service: 'worker-flush', sinks: [fileSink({ path })], worker: true });
    for (let i = 0; i < 500; i++) logger.log({ type: 'a.b', details: { i } });
    await logger.flush();
    expect(loggedIndexes(path)).toHaveLength(500);
    await logger.close();
    expect(logger.log({ type: 'a.b', details: { i: 500 } })).toBeUndefined();
    expect(logger.stats().dropped).toBe(1);
  });

  it('subscribeSealed listeners hear the sealed batches on the caller thread', async () => {
    const path = join(dir, 'audit.jsonl');
    const logger = createAuditLogger({ service: 'worker-sealed', sinks: [fileSink({ path })], worker: true });
    const heard: AuditEvent[] = [];
    subscribeSealed(logger, (events) => heard.push(...events));
    for (let i = 0; i < 300; i++) logger.log({ type: 'a.b', details: { i } });
    await logger.close();
    expect(heard.map((e) => (e.details as { i: number }).i)).toEqual(loggedIndexes(path));
    expect(heard).toHaveLength(300);
    expect(heard.map((e) => e.integrity!.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });
});
