import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuditEvent,
  CHECKPOINT_TYPE,
  createAuditLogger,
  decryptEvent,
  fileSink,
  generateKeyring,
  generateSigningKeys,
  localKeyring,
  readAuditLines,
  verifyFiles,
} from '@auditkit/core';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-dedup-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('dedup on close', () => {
  it('records pending summaries before the final checkpoint; the sealed file verifies', async () => {
    const keys = generateSigningKeys();
    const ring = generateKeyring('k1');
    const path = join(dir, 'audit.jsonl');
    const logger = createAuditLogger({
      service: 'svc',
      flushOnExit: false,
      sinks: [fileSink({ path })],
      integrity: { signingKey: keys.privateKeyPem },
      protect: { encrypt: ['details.iban'], keyring: localKeyring(ring) },
      dedup: { windowMs: 60_000 },
    });
    for (let i = 0; i < 10; i++)
      logger.log({
        type: 'payout.viewed',
        actor: { id: 'u-1' },
        details: { iban: 'DE89370400440532013000' },
      });
    expect(logger.stats().dedup).toEqual({ open: 1, summaries: 0 });
    await logger.close();

    const events: AuditEvent[] = [];
    for await (const line of readAuditLines([path])) events.push(JSON.parse(line.text));
    expect(events.map((e) => [e.type, e.count])).toEqual([
      ['payout.viewed', undefined],
      ['payout.viewed', 9],
      [CHECKPOINT_TYPE, undefined],
    ]);
    // The summary carries the first occurrence's ciphertext; the keyring opens it.
    expect(decryptEvent(events[1]!, { keyring: localKeyring(ring) }).event.details!.iban).toBe(
      'DE89370400440532013000',
    );
    const report = await verifyFiles([path], { publicKeys: [keys.publicKeyPem], expectClosed: true });
    expect(report.ok).toBe(true);
    expect(logger.stats()).toMatchObject({ deduplicated: 8, dedup: { open: 0, summaries: 1 } });
  });
});
