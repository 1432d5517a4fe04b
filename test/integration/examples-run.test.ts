/**
 * The examples as the README runs them: `npm run example:<name>` from the root, one request or
 * call, then SIGTERM to npm. Each must answer, write its trail, and stop with exit code 0 and
 * without npm reporting a failed lifecycle script.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = join(__dirname, '..', '..');
const exec = promisify(execFile);
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-examples-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** host:port from the example's "listening on" line. */
  address: string;
  log: string;
}

async function start(name: string): Promise<Running> {
  const log = join(dir, `${name}.jsonl`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  const child = spawn('npm', ['run', `example:${name}`], {
    cwd: root,
    env: { ...env, PORT: '0', AUDIT_LOG: log },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const m = /listening on (?:http:\/\/)?([\d.]+:\d+)/.exec(stdout);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) =>
      reject(new Error(`example:${name} exited (${code}) before listening:\n${stdout}${stderr}`)),
    );
  });
  return { child, stdout: () => stdout, stderr: () => stderr, address, log };
}

async function stop(running: Running): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (running.child.exitCode !== null) return { code: running.child.exitCode, signal: null };
  const exited = once(running.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  running.child.kill('SIGTERM');
  // An example that ignores SIGTERM fails the test, and is not left running.
  const killer = setTimeout(() => running.child.kill('SIGKILL'), 10_000);
  const [code, signal] = await exited.finally(() => clearTimeout(killer));
  return { code, signal };
}

const eventTypes = (log: string) =>
  readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { type: string }).type);

describe('npm run example:<name>', () => {
  it.each([
    ['express', '/orders/1', 401],
    ['fastify', '/orders/1', 404],
    ['nest', '/users/1', 404],
  ])(
    'example:%s answers on loopback and stops cleanly on SIGTERM',
    async (name, path, status) => {
      const running = await start(name);
      expect(running.address).toMatch(/^127\.0\.0\.1:\d+$/);
      expect((await fetch(`http://${running.address}${path}`)).status).toBe(status);
      expect(await stop(running)).toEqual({ code: 0, signal: null });
      expect(running.stderr()).not.toMatch(/npm error|Lifecycle script/);
      expect(eventTypes(running.log)).toContain('http.request');
    },
    60_000,
  );

  it('example:grpc serves the four RPCs its client calls, and stops cleanly on SIGTERM', async () => {
    const stopped: Array<ReturnType<typeof stop>> = [];
    const running = await start('grpc');
    const client = await exec('npm', ['run', '--silent', 'example:grpc-client'], {
      cwd: root,
      env: { ...process.env, ADDRESS: running.address },
    }).finally(() => stopped.push(stop(running)));
    expect(running.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(client.stdout.split('\n').filter(Boolean)).toEqual([
      'GetOrder    {"id":"1","item":"laptop"}',
      'AddOrders   {"count":2}',
      'ListOrders  [{"id":"1","item":"laptop"},{"id":"2","item":"monitor"},{"id":"3","item":"keyboard"}]',
      'Sync        [{"id":"4","item":"mouse"}]',
      'GetOrder 99 NOT_FOUND: no order 99',
    ]);
    expect(await stopped[0]).toEqual({ code: 0, signal: null });
    expect(running.stderr()).not.toMatch(/npm error|Lifecycle script/);
    const types = eventTypes(running.log);
    expect(types.filter((t) => t === 'grpc.call')).toHaveLength(5);
    expect(types.filter((t) => t === 'order.created')).toHaveLength(3);
  }, 60_000);
});
