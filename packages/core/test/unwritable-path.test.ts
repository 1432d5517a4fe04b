/** A file sink path that cannot be written is reported at startup with its path and errno. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AuditError, createAuditLogger, fileSink } from '../src';
import { tempDir } from './sink-helpers';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function logger(path: string, onError?: (e: AuditError) => void) {
  return createAuditLogger({
    service: 'paths',
    flushOnExit: false,
    sinks: [fileSink({ path })],
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 500 },
    onError,
  });
}

describe('an unwritable sink path', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it('is reported at startup with the path and ENOTDIR, not as an unreadable last sealed event', async () => {
    writeFileSync(join(tmp.dir, 'a-file'), 'not a directory');
    const path = join(tmp.dir, 'a-file', 'logs', 'audit.jsonl');
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const l = logger(path); // no onError: the process warning is what a user sees
      await wait(200);
      expect(warn.mock.calls.map((c) => c[0])).toEqual([
        `auditkit: sink "file" cannot write: ENOTDIR: not a directory, stat '${join(tmp.dir, 'a-file', 'logs')}'`,
      ]);
      expect(l.health().reasons.join('\n')).toContain('ENOTDIR');
      await l.close();
    } finally {
      warn.mockRestore();
    }
  });

  it('is reported with EROFS on a read-only mount', async () => {
    const dir = join(tmp.dir, 'ro');
    mkdirSync(dir);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', dir], { stdio: 'pipe' });
    } catch (error) {
      console.warn(`skipped: mounting a read-only tmpfs was refused: ${String(error)}`);
      return;
    }
    try {
      const errors: AuditError[] = [];
      const l = logger(join(dir, 'audit', 'audit.jsonl'), (e) => errors.push(e));
      await wait(200);
      expect(errors.map((e) => [e.kind, e.sink, e.message])).toEqual([
        [
          'sink',
          'file',
          `sink "file" cannot write: EROFS: read-only file system, mkdir '${join(dir, 'audit')}'`,
        ],
      ]);
      await l.close();
    } finally {
      execFileSync('umount', [dir]);
    }
  });

  it('under /proc: mkdir ends with ENOENT at once, and close() returns within the write timeout', async () => {
    const errors: AuditError[] = [];
    const l = logger('/proc/auditkit-nowhere/logs/audit.jsonl', (e) => errors.push(e));
    l.log({ type: 'order.created' });
    const started = Date.now();
    await l.close();
    expect(Date.now() - started).toBeLessThan(1500);
    expect(errors[0]!.message).toBe(
      `sink "file" cannot write: ENOENT: no such file or directory, mkdir '/proc/auditkit-nowhere'`,
    );
    expect(l.stats()).toMatchObject({ logged: 1, dropped: 1, queued: 0 });
  });
});
