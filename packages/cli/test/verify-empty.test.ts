import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditkit } from './run-cli';

/** `auditkit verify` on nothing: exit 1, unless --allow-empty. */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-cli-empty-'));
  writeFileSync(join(dir, 'audit.jsonl'), '');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('auditkit verify with zero events', () => {
  it('fails for an empty directory and an empty file', async () => {
    for (const path of [mkdtempSync(join(dir, 'none-')), join(dir, 'audit.jsonl')]) {
      const r = await auditkit(['verify', path]);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/^BROKEN: 0 events in 0 chain\(s\)/);
      expect(r.out).toContain('empty: no events found: an empty trail proves nothing');
    }
  });

  it('passes with --allow-empty', async () => {
    const r = await auditkit(['verify', join(dir, 'audit.jsonl'), '--allow-empty']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^OK: 0 events/);
  });
});
