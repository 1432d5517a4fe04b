import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuditEvent,
  canonicalize,
  createAuditLogger,
  fileSink,
  generateSigningKeys,
  verifyFiles,
} from '@auditkit/core';

/**
 * A trail written without a signing key has no checkpoints. `expectClosed` cannot be checked on
 * it: the report says that only the hash chain was checked, instead of calling the trail cut.
 */
let dir: string;
let path: string;
beforeAll(async () => {
  delete process.env.AUDITKIT_SIGNING_KEY;
  dir = mkdtempSync(join(tmpdir(), 'auditkit-verify-keyless-'));
  path = join(dir, 'audit.jsonl');
  const logger = createAuditLogger({ service: 'billing', flushOnExit: false, sinks: [fileSink({ path })] });
  for (let i = 0; i < 20; i++) logger.log({ type: 'invoice.paid', details: { amount: i } });
  await logger.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('verify a trail written without a signing key', () => {
  it('with expectClosed: OK, and says only the hash chain could be checked', async () => {
    const report = await verifyFiles([path], { expectClosed: true });
    expect(report).toMatchObject({ ok: true, events: 20, breaks: [], signaturesChecked: false });
    expect(report.notices).toEqual([
      expect.stringMatching(
        /^chain billing@.+ has no checkpoints \(written without a signing key, or its writer stopped before the first one\): only its hash chain could be checked, .*whether its writer closed cleanly cannot be told$/,
      ),
    ]);
  });

  it('still finds an edited event', async () => {
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    const event = JSON.parse(lines[5]!) as AuditEvent;
    event.outcome = 'failure';
    const edited = join(dir, 'edited.jsonl');
    writeFileSync(edited, `${[...lines.slice(0, 5), canonicalize(event), ...lines.slice(6)].join('\n')}\n`);
    const report = await verifyFiles([edited], { expectClosed: true });
    expect(report.ok).toBe(false);
    expect(report.breaks[0]).toMatchObject({ kind: 'modified', line: 6 });
  });

  it('with public keys a trail without checkpoints is not closed: the keys promise signatures', async () => {
    const report = await verifyFiles([path], {
      expectClosed: true,
      publicKeys: [generateSigningKeys().publicKeyPem],
    });
    expect(report.ok).toBe(false);
    expect(report.breaks.map((b) => b.kind)).toEqual(['truncated']);
  });
});
