import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKeys, verifyFiles } from '../src';
import { loggedIndexes, storedLines, workerSuite } from './worker-helpers';

const producer = join(__dirname, 'fixtures', 'worker-producer.js');

workerSuite('worker option: the end of the process', () => {
  const keys = generateSigningKeys();
  let dir: string;
  let file: string;
  const start = (mode: string, count = 0, extra: Record<string, string> = {}): ChildProcess =>
    fork(producer, {
      env: {
        ...process.env,
        MODE: mode,
        COUNT: String(count),
        LOG_FILE: file,
        SIGNING_KEY: keys.privateKeyPem,
        ...extra,
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
  const verify = (expectClosed: boolean) =>
    verifyFiles([file], { publicKeys: [keys.publicKeyPem], expectClosed });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'auditkit-worker-exit-'));
    file = join(dir, 'audit.jsonl');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('process.exit() waits while the worker seals and writes what is left, closed with a final checkpoint', async () => {
    const [code] = await once(start('exit', 5000), 'exit');
    expect(code).toBe(0);
    expect(loggedIndexes(file)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    const report = await verify(true);
    expect(report.breaks).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('process.exit() with no time for the worker: what it did not confirm is reported, not lost silently', async () => {
    const reportFile = join(dir, 'report.txt');
    const [code] = await once(
      start('exit', 20_000, { EXIT_TIMEOUT_MS: '0', REPORT_FILE: reportFile }),
      'exit',
    );
    expect(code).toBe(0);
    const reported = readFileSync(reportFile, 'utf8').match(/up to (\d+) events may be missing/);
    expect(reported).not.toBeNull();
    const missing = Number(reported![1]);
    const written = existsSync(file) ? loggedIndexes(file).length : 0;
    expect(missing).toBeGreaterThan(0);
    expect(written + missing).toBeGreaterThanOrEqual(20_000);
  });

  it('a process that just ends flushes through the worker on beforeExit', async () => {
    const [code] = await once(start('end', 3000), 'exit');
    expect(code).toBe(0);
    expect(loggedIndexes(file)).toHaveLength(3000);
    expect((await verify(true)).ok).toBe(true);
  });

  it('SIGKILL under load: what reached the file verifies', async () => {
    const child = start('load');
    let logged = 0;
    child.on('message', (m: { logged: number }) => {
      logged = m.logged;
    });
    // Killed mid-load, once the worker has written a good part of the trail.
    const deadline = Date.now() + 20_000;
    while (!(existsSync(file) && statSync(file).size > 1_000_000) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await once(child, 'exit');

    const stored = storedLines(file);
    expect(stored.length).toBeGreaterThan(1000);
    // In order, no gaps: the written part is a prefix of what was logged.
    const indexes = loggedIndexes(file);
    expect(indexes).toEqual(Array.from({ length: indexes.length }, (_, i) => i));
    expect(indexes.length).toBeLessThanOrEqual(logged + 200);
    const report = await verify(false);
    expect(report.breaks).toEqual([]);
    expect(report.ok).toBe(true);
  }, 30_000);
});
