import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLogger, fileSink, generateSigningKeys } from '@auditkit/core';
import { auditkit } from './run-cli';

/** `auditkit verify --threads`: the same report and exit code on one thread and on several. */
let dir: string;
let publicKey: string;
let path: string;
const keys = generateSigningKeys();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-cli-threads-'));
  publicKey = join(dir, 'signing.pub');
  writeFileSync(publicKey, keys.publicKeyPem);
  path = join(dir, 'audit.jsonl');
  const logger = createAuditLogger({
    service: 'billing',
    flushOnExit: false,
    batch: { maxWaitMs: 1, maxEvents: 32 },
    sinks: [fileSink({ path, maxSize: 100 * 1024 })],
    integrity: { signingKey: keys.privateKeyPem, checkpointEvery: 40 },
  });
  for (let i = 0; i < 1200; i++)
    logger.log({ type: 'invoice.paid', details: { amount: i, note: 'x'.repeat(200) } });
  await logger.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('auditkit verify --threads', () => {
  it('reports an intact and a changed trail the same on one thread and on four', async () => {
    for (const closed of [[], ['--closed']]) {
      const one = await auditkit(['verify', dir, '--key', publicKey, '--json', '--threads', '1', ...closed]);
      const four = await auditkit(['verify', dir, '--key', publicKey, '--json', '--threads', '4', ...closed]);
      expect(one.code).toBe(0);
      expect(four).toEqual(one);
    }
    const lines = readFileSync(path, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('"amount":'));
    writeFileSync(path, lines.with(at, lines[at]!.replace('"amount":', '"amount":1')).join('\n'));
    const one = await auditkit(['verify', dir, '--key', publicKey, '--threads', '1']);
    const four = await auditkit(['verify', dir, '--key', publicKey, '--threads', '4']);
    expect(one.code).toBe(1);
    expect(one.out).toContain('modified');
    expect(four).toEqual(one);
  });

  it('rejects a number of threads that is not a whole number of at least 1', async () => {
    const r = await auditkit(['verify', dir, '--threads', 'two']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('threads must be a whole number >= 1, got the string "two"');
  });
});
