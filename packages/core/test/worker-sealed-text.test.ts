/**
 * The worker seals events from the canonical text the caller wrote: through a spill to disk and
 * back, and for listeners on the caller's side, the events and lines are those of the seal stage.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuditEvent,
  createAuditLogger,
  fileSink,
  generateSigningKeys,
  subscribeSealed,
  verifyFiles,
} from '../src';
import { sealedLine } from '../src/seal/sealer';
import { workerSuite } from './worker-helpers';

const BURST = 5_000;

const lines = (file: string): string[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);

workerSuite('worker option: sealing from canonical text', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'auditkit-worker-text-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a burst spilled to disk on the worker comes back sealed in order, each line as the seal stage makes it', async () => {
    const keys = generateSigningKeys();
    const file = join(dir, 'audit.jsonl');
    const audit = createAuditLogger({
      service: 'worker-text',
      sinks: [fileSink({ path: file })],
      integrity: { signingKey: keys.privateKeyPem, checkpointEvery: 1000 },
      spool: { dir: join(dir, 'spool') },
      queue: { maxEvents: 100, overflow: 'spill' },
      batch: { maxEvents: 50 },
      worker: { ringBytes: 64 * 1024 },
    });
    const heard: AuditEvent[] = [];
    subscribeSealed(audit, (events) => heard.push(...events));
    for (let i = 0; i < BURST; i++)
      audit.log({ type: 'burst.event', message: `é ${i}`, details: { i, z: 1, a: [i, { y: 2, b: 3 }] } });
    await audit.close();
    expect(audit.stats().dropped).toBe(0);

    const stored = lines(file);
    const events = stored.map((l) => JSON.parse(l) as AuditEvent);
    const logged = events.filter((e) => e.type === 'burst.event');
    expect(logged.map((e) => e.details!.i)).toEqual(Array.from({ length: BURST }, (_, i) => i));
    expect(events.map((e) => e.integrity!.seq)).toEqual(events.map((_, i) => i));
    for (const [n, line] of stored.entries()) {
      const { integrity, ...event } = events[n]!;
      expect(sealedLine(event as AuditEvent, integrity!.chain, integrity!.seq, integrity!.prev).line).toBe(
        line,
      );
    }
    // Listeners on the caller's thread hear the sealed events, read back from their lines.
    expect(heard).toEqual(events);

    const report = await verifyFiles([file], { publicKeys: [keys.publicKeyPem], expectClosed: true });
    expect(report.breaks).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
