/**
 * `npm run demo` (the built demo) drives the example app, then serves the console on the trail it
 * made until it is stopped; `--exit` keeps the run-and-exit that CI uses.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DEMO = join(__dirname, '..', '..', 'examples', 'demo', 'dist', 'index.js');
const describeBuilt = existsSync(DEMO) ? describe : describe.skip;

jest.setTimeout(60_000);

/** Demos started by a test; any still running when it ends (a failed assertion) are stopped. */
const running = new Set<ChildProcess>();

function start(dir: string, ...args: string[]): { child: ChildProcess; output: () => string } {
  const env = {
    ...process.env,
    AUDIT_LOG: join(dir, 'audit-logs', 'audit.jsonl'),
    AUDITKIT_CONSOLE_PORT: '0',
  };
  delete env.CI;
  const child = spawn(process.execPath, [DEMO, ...args], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  return { child, output: () => text };
}

async function until(check: () => RegExpMatchArray | null, ms = 30_000): Promise<RegExpMatchArray> {
  const end = Date.now() + ms;
  for (;;) {
    const m = check();
    if (m) return m;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describeBuilt('the demo', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'auditkit-demo-'));
  });
  afterEach(() => {
    for (const child of running) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the dashboard and the API on its trail with the key it prints, until SIGINT', async () => {
    const demo = start(dir);
    const [, url] = await until(() => /serving this trail: (http:\/\/\S+)\/ui\//.exec(demo.output()));
    const [, key] = await until(() => /demo API key: (akc_\S+)/.exec(demo.output()));
    await until(() => /-----END PUBLIC KEY-----/.exec(demo.output()));
    expect((await fetch(`${url}/ui/`)).status).toBe(200);
    const events = await fetch(`${url}/api/events?q=type:order.updated`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect((await events.json()).events).toHaveLength(1);
    demo.child.kill('SIGINT');
    const [code] = await once(demo.child, 'exit');
    expect(code).toBe(0);
  });

  it('runs and exits with --exit', async () => {
    const demo = start(dir, '--exit');
    const [code] = await once(demo.child, 'exit');
    expect(code).toBe(0);
    expect(demo.output()).toMatch(/Integrity: verified/);
    expect(demo.output()).not.toMatch(/serving this trail/);
  });
});
