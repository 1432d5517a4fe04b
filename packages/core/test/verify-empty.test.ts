import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainVerifier, verifyFiles } from '@auditkit/core';

/** Finding nothing to verify is a failure unless the caller says an empty trail is expected. */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-verify-empty-'));
  writeFileSync(join(dir, 'empty.jsonl'), '');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('verify with zero events', () => {
  it('fails for an empty directory, an empty file and a verifier given nothing', async () => {
    const emptyDir = mkdtempSync(join(dir, 'none-'));
    for (const report of [
      await verifyFiles([emptyDir]),
      await verifyFiles([join(dir, 'empty.jsonl')]),
      new ChainVerifier().finish(),
    ]) {
      expect(report.ok).toBe(false);
      expect(report.events).toBe(0);
      expect(report.breaks).toEqual([
        { kind: 'empty', message: expect.stringMatching(/^no events found: an empty trail proves nothing/) },
      ]);
    }
  });

  it('passes with allowEmpty', async () => {
    const report = await verifyFiles([join(dir, 'empty.jsonl')], { allowEmpty: true });
    expect(report).toMatchObject({ ok: true, events: 0, breaks: [] });
  });
});
