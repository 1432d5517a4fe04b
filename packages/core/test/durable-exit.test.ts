/** Durable mode at process.exit(): what is still queued is sealed into the spool synchronously. */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLogger, fileSink, verifyFiles } from '../src';

// Runs the built package in a child process (npm test builds first).
const built = existsSync(join(__dirname, '..', 'dist', 'index.js'));
const suite = built ? describe : describe.skip;

suite('durable mode and process.exit()', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'auditkit-durable-exit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every queued event in the spool for the next process', async () => {
    const env = { LOG_FILE: join(dir, 'audit.jsonl'), SPOOL_DIR: join(dir, 'spool') };
    const child = fork(join(__dirname, 'fixtures', 'durable-exit.js'), {
      env: { ...process.env, ...env, COUNT: '3000' },
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    const next = createAuditLogger({
      service: 'exit-test',
      instance: 'exit-1',
      flushOnExit: false,
      durable: true,
      sinks: [fileSink({ path: env.LOG_FILE })],
      spool: { dir: env.SPOOL_DIR },
    });
    await next.close();
    const events = readFileSync(env.LOG_FILE, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { details: { i: number } });
    // Counts checked: the first event and the 3,000 logged right before exit, once each, in order.
    expect(events.map((e) => e.details.i)).toEqual(Array.from({ length: 3001 }, (_, i) => i - 1));
    expect((await verifyFiles([env.LOG_FILE])).breaks).toEqual([]);
  });
});
