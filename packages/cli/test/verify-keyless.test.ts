import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLogger, fileSink } from '@auditkit/core';
import { auditkit } from './run-cli';

/** `auditkit verify --closed` on a trail written without a signing key says what it could check. */
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-cli-keyless-'));
  const logger = createAuditLogger({
    service: 'orders',
    flushOnExit: false,
    sinks: [fileSink({ path: join(dir, 'audit.jsonl') })],
    integrity: { signingKey: undefined },
  });
  for (let i = 0; i < 12; i++) logger.log({ type: 'order.created' });
  await logger.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('auditkit verify --closed on a trail written without a key', () => {
  it('says plainly that only the hash chain could be checked, instead of BROKEN', async () => {
    const r = await auditkit(['verify', dir, '--closed'], { AUDITKIT_SIGNING_KEY: '' });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^OK \(hash chain only\): 12 events in 1 chain\(s\); signatures NOT checked/);
    expect(r.out).toMatch(
      /note: chain orders@\S+ has no checkpoints \(written without a signing key, or its writer stopped before the first one\): only its hash chain could be checked/,
    );
    expect(r.out).not.toContain('truncated');
  });
});
