import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type AuditEvent, canonicalize, createAuditLogger, fileSink } from '@auditkit/core';
import { createApp } from '@auditkit/example-express-app';
import { startServer } from '@auditkit/test-utils';
import { bin, cli } from './run-cli';

const exec = promisify(execFile);
let dir: string;
let logPath: string;
let publicKey: string;

/** A real Express app from the examples, audited into a signed file trail, driven over HTTP. */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-cli-'));
  const keys = await cli('keys', 'generate', '--out', join(dir, 'keys'));
  expect(keys.code).toBe(0);
  publicKey = join(dir, 'keys', 'auditkit-signing.pub');
  logPath = join(dir, 'audit', 'audit.jsonl');
  const logger = createAuditLogger({
    service: 'orders',
    flushOnExit: false,
    batch: { maxWaitMs: 1 },
    sinks: [fileSink({ path: logPath })],
    integrity: { signingKey: join(dir, 'keys', 'auditkit-signing.key'), checkpointEvery: 10 },
  });
  const server = await startServer(createApp({ logger }));
  const call = (method: string, path: string, body?: unknown, token?: string) =>
    fetch(server.url + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async (r) => ({
      status: r.status,
      json: (await r.json().catch(() => ({}))) as Record<string, string>,
    }));
  for (let i = 0; i < 3; i++) await call('POST', '/login', { username: 'mallory', password: `guess-${i}` });
  const token = (await call('POST', '/login', { username: 'alice', password: 'correct horse' })).json.token!;
  for (let i = 0; i < 8; i++) {
    const created = await call('POST', '/orders', { item: `item-${i}`, quantity: i + 1 }, token);
    await call('PATCH', `/orders/${created.json.id}`, { status: 'shipped' }, token);
  }
  await call('GET', '/orders-export', undefined, token);
  await server.close();
  await logger.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stored = () => readFileSync(logPath, 'utf8').trim().split('\n');

describe('auditkit CLI', () => {
  it('keys generate writes a 0600 private key and a public key, and never overwrites them', async () => {
    expect(statSync(join(dir, 'keys', 'auditkit-signing.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(publicKey, 'utf8')).toMatch(/BEGIN PUBLIC KEY/);
    const again = await cli('keys', 'generate', '--out', join(dir, 'keys'));
    expect(again.code).toBe(2);
    expect(again.err).toBe(
      `auditkit: ${join(dir, 'keys', 'auditkit-signing.key')} already exists and is never overwritten: choose another --out directory or --name\n`,
    );
  });

  it('verify: exit 0 and a readable report for an untouched trail written by the Express app', async () => {
    const r = await cli('verify', join(dir, 'audit'), '--key', publicKey, '--closed');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^OK: \d+ events in 1 chain\(s\); checkpoint signatures checked/);
    expect(r.out).toMatch(/checkpoint\(s\), last checkpoint covers/);
  });

  it('verify: exit 1 naming the kind and exact place of a tampered event, as text and as JSON', async () => {
    const lines = stored();
    const index = lines.findIndex((l) => l.includes('"type":"order.updated"'));
    const event = JSON.parse(lines[index]!) as AuditEvent;
    event.outcome = 'failure';
    const tampered = join(dir, 'tampered.jsonl');
    writeFileSync(
      tampered,
      `${[...lines.slice(0, index), canonicalize(event), ...lines.slice(index + 1)].join('\n')}\n`,
    );
    const text = await cli('verify', tampered, '--key', publicKey);
    expect(text.code).toBe(1);
    expect(text.out).toContain(`modified: the event does not match its hash`);
    expect(text.out).toContain(`at ${tampered}:${index + 1}`);
    const json = await cli('verify', tampered, '--key', publicKey, '--json');
    const report = JSON.parse(json.out);
    expect(report.ok).toBe(false);
    expect(report.breaks[0]).toMatchObject({ kind: 'modified', line: index + 1, eventId: event.id });
  });

  it('verify --closed: a cut tail is a break', async () => {
    const cut = join(dir, 'cut.jsonl');
    writeFileSync(cut, `${stored().slice(0, -3).join('\n')}\n`);
    const r = await cli('verify', cut, '--key', publicKey, '--closed');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /truncated: the chain (does not end in a checkpoint|ends at a periodic checkpoint)/,
    );
  });

  it('prove + verify-proof: one event proven against a signed checkpoint, checked from the proof alone', async () => {
    const lines = stored();
    const target = JSON.parse(lines.find((l) => l.includes('"type":"order.exported"'))!) as AuditEvent;
    const proofFile = join(dir, 'proof.json');
    const proved = await cli('prove', target.id, logPath, '--out', proofFile);
    expect(proved.code).toBe(0);
    expect(existsSync(proofFile)).toBe(true);
    const proof = JSON.parse(readFileSync(proofFile, 'utf8'));
    expect(JSON.stringify(proof)).not.toContain('"order.created"'); // no other event is handed over
    const ok = await cli('verify-proof', proofFile, '--key', publicKey);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.out).toMatch(/^OK: event /);
    proof.event.tenant = 'someone-else';
    writeFileSync(proofFile, JSON.stringify(proof));
    const bad = await cli('verify-proof', proofFile, '--key', publicKey);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/FAILED: the event does not match its hash/);
  });

  it('reports an unknown event with exit code 1 and bad input with exit code 2', async () => {
    expect(await cli('prove', 'no-such-id', logPath)).toEqual({
      code: 1,
      out: '',
      err: `auditkit: event no-such-id is not in ${logPath}\n`,
    });
    expect((await cli('verify', join(dir, 'missing.jsonl'))).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
  });

  it('the installed bin runs as a command', async () => {
    const { stdout } = await exec(process.execPath, [bin, 'verify', logPath, '--key', publicKey]);
    expect(stdout).toMatch(/^OK: /);
    await expect(
      exec(process.execPath, [bin, 'verify', join(dir, 'cut.jsonl'), '--key', publicKey, '--closed']),
    ).rejects.toMatchObject({ code: 1 });
  });
});
