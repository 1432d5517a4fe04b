/**
 * A real full disk (a 1 MiB tmpfs mounted for the test): the file sink and its spool both run out
 * of space, and stats() still accounts for every event, the lost ones as dropped.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLogger, fileSink } from '../src';
import { expectBalanced } from './helpers';

function mountTmpfs(dir: string): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error).trim();
  }
}

describe('a full disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'auditkit-full-'));
  const refused = mountTmpfs(dir);
  afterAll(() => {
    if (!refused) execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  (refused ? it.skip : it)('counts what neither the sink nor its spool could take as dropped', async () => {
    const logger = createAuditLogger({
      service: 'disk',
      flushOnExit: false,
      sinks: [fileSink({ path: join(dir, 'audit.jsonl'), gzip: false })],
      spool: { dir: join(dir, 'spool'), fsync: false },
      batch: { maxEvents: 100, maxWaitMs: 1 },
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 2000 },
      breaker: { failureThreshold: 1, cooldownMs: 20 },
      onError: () => {},
    });
    const filler = 'x'.repeat(900);
    for (let i = 0; i < 3000; i++) {
      logger.log({ type: 'report.exported', details: { i, filler } });
      if (i % 100 === 99) await new Promise((r) => setImmediate(r));
    }
    await logger.close();
    const s = logger.stats();
    const sink = s.sinks[0]!;
    expect(s.logged).toBe(3000);
    expect(s.dropped).toBeGreaterThan(1000);
    expect(sink.failed).toBeGreaterThan(1000);
    expectBalanced(s);
    // The top level and the sink agree on the loss; what the file holds is what the sink took.
    expect(sink.queued).toBe(3000);
    expect(s.dropped).toBe(sink.failed);
    const lines = readFileSync(join(dir, 'audit.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBe(sink.delivered + sink.replayed!);
  });

  if (refused) it(`is skipped: mounting a tmpfs was refused (${refused})`, () => {});
});
