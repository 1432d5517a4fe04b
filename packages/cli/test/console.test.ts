/**
 * The console from a terminal, end to end with the built CLI as a child process: a key made
 * with `keys create-api-key`, `serve` over a trail the Express example app writes, `tail` of its
 * live events, an export checked offline with `verify-export`.
 */
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createAuditLogger, fileSink, generateSigningKeys } from '@auditkit/core';
import { createApp } from '@auditkit/example-express-app';
import { startServer } from '@auditkit/test-utils';
import { bin } from './run-cli';

const exec = promisify(execFile);
let dir: string;
let keysFile: string;
let readKey: string;
let serve: ChildProcessWithoutNullStreams;
let url: string;
const signing = generateSigningKeys();

const auditkit = (...args: string[]) => exec(process.execPath, [bin, ...args], { env: process.env });

/** Drives the Express example app over HTTP, auditing into `<dir>/audit-logs/app.jsonl`. */
async function useTheApp(logins: number): Promise<void> {
  const logger = createAuditLogger({
    service: 'orders',
    flushOnExit: false,
    batch: { maxWaitMs: 1 },
    sinks: [fileSink({ path: join(dir, 'audit-logs', 'app.jsonl') })],
  });
  const app = await startServer(createApp({ logger }));
  for (let i = 0; i < logins; i++)
    await fetch(`${app.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'correct horse' }),
    });
  await app.close();
  await logger.close();
}

/** Lines a child process prints, and a wait for the first one that matches. */
function lines(child: ChildProcessWithoutNullStreams, stream: 'stdout' | 'stderr' = 'stdout') {
  const seen: string[] = [];
  let buffer = '';
  const waiters: Array<{ re: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];
  child[stream].on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    for (const line of parts) {
      seen.push(line);
      for (const w of [...waiters]) {
        const m = line.match(w.re);
        if (m) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    }
  });
  return {
    seen,
    wait(re: RegExp, ms = 15_000): Promise<RegExpMatchArray> {
      for (const line of seen) {
        const m = line.match(re);
        if (m) return Promise.resolve(m);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no line matching ${re} in ${ms} ms: ${seen.join(' | ')}`)),
          ms,
        );
        waiters.push({
          re,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    },
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-console-cli-'));
  keysFile = join(dir, 'console-keys.json');
  writeFileSync(join(dir, 'console.key'), signing.privateKeyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'console.pub'), signing.publicKeyPem);
  await useTheApp(2);
}, 60_000);
afterAll(() => {
  serve?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('auditkit console commands', () => {
  it('keys create-api-key prints the key once and stores only its hash', async () => {
    const { stdout, stderr } = await auditkit(
      'keys',
      'create-api-key',
      '--keys',
      keysFile,
      '--tenant',
      'acme',
      '--scopes',
      'read,export',
    );
    readKey = stdout.trim();
    expect(readKey).toMatch(/^akc_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(stderr).toMatch(/shown this once/);
    const stored = readFileSync(keysFile, 'utf8');
    expect(stored).not.toContain(readKey.slice(21));
    expect(stored).toContain(readKey.split('_')[1]);
    expect(statSync(keysFile).mode & 0o777).toBe(0o600);
    await expect(
      auditkit('keys', 'create-api-key', '--keys', keysFile, '--tenant', 'acme', '--scopes', 'root'),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/unknown scope "root"/),
    });
  });

  it('serve --store prints the URL it listens on and answers with the trail', async () => {
    serve = spawn(process.execPath, [
      bin,
      'serve',
      '--store',
      join(dir, 'audit-logs'),
      '--keys',
      keysFile,
      '--port',
      '0',
      '--signing-key',
      join(dir, 'console.key'),
    ]);
    const out = lines(serve);
    url = (await out.wait(/^auditkit console listening on (http:\/\/127\.0\.0\.1:\d+)$/))[1]!;
    const r = await fetch(`${url}/api/events?q=type:auth.login`, {
      headers: { authorization: `Bearer ${readKey}` },
    });
    expect(r.status).toBe(200);
    const page = (await r.json()) as { events: Array<{ tenant?: string; actor: { id?: string } }> };
    expect(page.events.length).toBeGreaterThanOrEqual(2);
    expect(page.events.every((e) => e.tenant === 'acme')).toBe(true);
  });

  it('tail prints live events the app writes, matching its filter', async () => {
    const tail = spawn(process.execPath, [bin, 'tail', '--server', url, 'type:auth.*'], {
      env: { ...process.env, AUDITKIT_API_KEY: readKey },
    });
    try {
      await lines(tail, 'stderr').wait(/^tailing /);
      const out = lines(tail);
      await useTheApp(1);
      const line = await out.wait(/auth\.login/);
      expect(line.input).toMatch(/acme/);
      expect(out.seen.some((l) => l.includes('order.'))).toBe(false);
    } finally {
      tail.kill('SIGTERM');
    }
    const [code] = (await new Promise((r) => tail.once('exit', (...a) => r(a)))) as [number];
    expect(code).toBe(0);
  });

  it('an export downloaded from serve checks out offline with verify-export, and a changed one does not', async () => {
    const r = await fetch(`${url}/api/export?format=csv`, {
      headers: { authorization: `Bearer ${readKey}` },
    });
    writeFileSync(join(dir, 'export.csv'), Buffer.from(await r.arrayBuffer()));
    const manifest = await fetch(`${url}${r.headers.get('x-auditkit-manifest')}`, {
      headers: { authorization: `Bearer ${readKey}` },
    });
    writeFileSync(join(dir, 'manifest.json'), await manifest.text());
    const verifyExport = () =>
      auditkit(
        'verify-export',
        join(dir, 'export.csv'),
        '--manifest',
        join(dir, 'manifest.json'),
        '--key',
        join(dir, 'console.pub'),
      );
    const ok = await verifyExport();
    expect(ok.stdout).toMatch(/^OK: .* is the complete, unchanged export/);
    writeFileSync(join(dir, 'export.csv'), `${readFileSync(join(dir, 'export.csv'), 'utf8')}x`);
    await expect(verifyExport()).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^FAILED: the file has/),
    });
  });

  it('tail without a key, or with a revoked one, exits with an error', async () => {
    const none = await auditkit('tail', '--server', url).catch((e: { code: number; stderr: string }) => e);
    expect(none).toMatchObject({ code: 2, stderr: expect.stringMatching(/AUDITKIT_API_KEY/) });
    await auditkit('keys', 'revoke-api-key', '--keys', keysFile, readKey.split('_')[1]!);
    await new Promise((r) => setTimeout(r, 600)); // the console checks its keys file every 250 ms
    const revoked = await exec(process.execPath, [bin, 'tail', '--server', url], {
      env: { ...process.env, AUDITKIT_API_KEY: readKey },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(revoked).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/401 unknown or revoked API key/),
    });
  });

  it('serve refuses a store directory that does not exist', async () => {
    const missing = await auditkit(
      'serve',
      '--store',
      join(dir, 'no-such-trail'),
      '--keys',
      keysFile,
      '--port',
      '0',
    ).catch((e: { code: number; stderr: string }) => e);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/no-such-trail does not exist/) });
  });

  it('serve stops cleanly on SIGTERM', async () => {
    serve.kill('SIGTERM');
    const [code] = (await new Promise((r) => serve.once('exit', (...a) => r(a)))) as [number];
    expect(code).toBe(0);
  });
});
