import { fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKeys, verifyFiles } from '../src';

// These run the built package in a child process (npm test builds first).
const fixtures = join(__dirname, 'fixtures');
const built = existsSync(join(__dirname, '..', 'dist', 'index.js'));
const suite = built ? describe : describe.skip;

function lines(file: string): Array<{ type: string; details: { i: number }; source: { service: string } }> {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

suite('process exit', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'auditkit-exit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('process.exit() with events still queued writes them synchronously', async () => {
    const file = join(dir, 'audit.jsonl');
    const child = fork(join(fixtures, 'exit-pending.js'), {
      env: { ...process.env, LOG_FILE: file, COUNT: '5000' },
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    const events = lines(file);
    expect(events).toHaveLength(5000);
    expect(events.map((e) => e.details.i)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });

  it('a process that just ends flushes on beforeExit', async () => {
    const file = join(dir, 'audit.jsonl');
    const child = fork(join(fixtures, 'natural-end.js'), {
      env: { ...process.env, LOG_FILE: file, COUNT: '3000' },
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(lines(file)).toHaveLength(3000);
  });

  it('the zero-config logger flushes on SIGTERM, then the process ends by the signal', async () => {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'signal-app', version: '2.0.0' }));
    const child = fork(join(fixtures, 'signal.js'), { cwd: dir, env: { ...process.env, COUNT: '1000' } });
    await once(child, 'message');
    child.kill('SIGTERM');
    const [code, signal] = await once(child, 'exit');
    expect(code).toBeNull();
    expect(signal).toBe('SIGTERM');
    const events = lines(join(dir, 'audit-logs', 'audit.jsonl'));
    expect(events).toHaveLength(1000);
    expect(events[0]!.source.service).toBe('signal-app');
  });

  it('with a signing key, SIGTERM closes the zero-config logger: its trail verifies as closed', async () => {
    const keys = generateSigningKeys();
    writeFileSync(join(dir, 'signing.key'), keys.privateKeyPem);
    const child = fork(join(fixtures, 'signal.js'), {
      cwd: dir,
      env: { ...process.env, COUNT: '10', AUDITKIT_SIGNING_KEY: join(dir, 'signing.key') },
    });
    await once(child, 'message');
    child.kill('SIGTERM');
    const [, signal] = await once(child, 'exit');
    expect(signal).toBe('SIGTERM');
    const report = await verifyFiles([join(dir, 'audit-logs')], {
      publicKeys: [keys.publicKeyPem],
      expectClosed: true,
    });
    expect(report.ok).toBe(true);
    expect(report.chains[0]!.checkpoints).toBe(1);
  });

  it('SIGTERM only flushes when the app handles it too: the logger keeps recording', async () => {
    const child = fork(join(fixtures, 'signal-other-listener.js'), { cwd: dir });
    await once(child, 'message');
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    const events = lines(join(dir, 'audit-logs', 'audit.jsonl')).filter((e) => e.type === 'signal.test');
    expect(events.map((e) => e.details.i)).toEqual([0, 1]);
  });
});
