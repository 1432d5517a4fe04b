import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKPOINT_TYPE, createAuditLogger, fileSink, generateSigningKeys } from '@auditkit/core';
import { forgeWithoutCheckpoints } from '@auditkit/test-utils';
import { auditkit } from './run-cli';

/**
 * `auditkit verify --key`: a chain may hold at most --max-unsigned events (default 1000, the
 * writers' default checkpointEvery) after its last valid checkpoint, so a re-hashed rewrite that
 * had to strip the checkpoints fails.
 */
let dir: string;
let publicKey: string;
const keys = generateSigningKeys();

async function trail(name: string, n: number, checkpointEvery?: number): Promise<string> {
  const path = join(dir, name, 'audit.jsonl');
  const logger = createAuditLogger({
    service: 'billing',
    flushOnExit: false,
    batch: { maxWaitMs: 1 },
    sinks: [fileSink({ path })],
    integrity: { signingKey: keys.privateKeyPem, checkpointEvery, checkpointIntervalMs: 0 },
  });
  for (let i = 0; i < n; i++) logger.log({ type: 'invoice.paid', details: { amount: i } });
  await logger.close();
  return path;
}

function forge(path: string, from = 0): string {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const forged = forgeWithoutCheckpoints(
    lines,
    (e) => {
      if (e.details?.amount === 700) e.details.amount = 7_000_000;
    },
    from,
  );
  const out = `${path.replace(/\.jsonl$/, '')}-forged.jsonl`;
  writeFileSync(out, `${forged.join('\n')}\n`);
  return out;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-cli-unsigned-'));
  publicKey = join(dir, 'signing.pub');
  writeFileSync(publicKey, keys.publicKeyPem);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('auditkit verify --key --max-unsigned', () => {
  it('fails a re-hashed trail with every checkpoint removed, at the default limit', async () => {
    const path = await trail('default', 2500);
    expect((await auditkit(['verify', path, '--key', publicKey])).code).toBe(0);
    const r = await auditkit(['verify', forge(path), '--key', publicKey]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^BROKEN: 2500 events/);
    expect(r.out).toContain(
      'unsigned: 2500 events and not one valid checkpoint, more than the 1000 a writer leaves unsigned',
    );
  });

  it('holds a writer with a smaller checkpointEvery to it with --max-unsigned', async () => {
    const path = await trail('small', 200, 50);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    const afterFirst = lines.findIndex((l) => l.includes(`"type":"${CHECKPOINT_TYPE}"`)) + 1;
    const forged = forge(path, afterFirst);
    expect((await auditkit(['verify', forged, '--key', publicKey])).code).toBe(0);
    const r = await auditkit(['verify', forged, '--key', publicKey, '--max-unsigned', '50']);
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      'unsigned: 150 events after the last valid checkpoint (seq 50), more than the 50',
    );
    expect((await auditkit(['verify', path, '--key', publicKey, '--max-unsigned', '50'])).code).toBe(0);
  });

  it('rejects a --max-unsigned that is not a number, with exit 2', async () => {
    const r = await auditkit(['verify', join(dir, 'default'), '--key', publicKey, '--max-unsigned', 'lots']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('maxUnsigned must be a whole number >= 0, got the string "lots"');
  });
});
