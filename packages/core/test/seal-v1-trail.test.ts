import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuditEvent,
  expectedHash,
  fileStore,
  merkle,
  proveEvent,
  verifyFiles,
  verifyInclusionProof,
  verifyStore,
} from '@auditkit/core';
import { lineByLine, reportsCutAtEveryLine, V1_PUBLIC_KEY, V1_TRAIL, v1Lines } from './seal-v1-fixture';

// Trails sealed before seal version 2 verify with this build exactly as they did: every path that
// checks a hash or a Merkle leaf reads each event by the version its seal names.

const options = { publicKeys: [V1_PUBLIC_KEY], expectClosed: true };
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-seal-v1-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const trailWith = (lines: string[]): string => {
  const path = join(dir, 'audit.jsonl');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
};

describe('a trail sealed under seal version 1', () => {
  it('is what version 1 wrote: no `v` in any seal, each hash the SHA-256 of the line without it', () => {
    for (const line of v1Lines()) {
      const event = JSON.parse(line) as AuditEvent;
      expect(event.integrity).not.toHaveProperty('v');
      const member = `"hash":"${event.integrity!.hash}",`;
      expect(merkle.sha256Hex(line.replace(member, ''))).toBe(event.integrity!.hash);
      expect(expectedHash(event)).toBe(event.integrity!.hash);
    }
  });

  it('verifies from its bytes, with and without keys, as line by line', async () => {
    const withKeys = await verifyFiles([V1_TRAIL], { ...options, threads: 1 });
    expect(withKeys).toMatchObject({ ok: true, events: 15, signaturesChecked: true, breaks: [] });
    expect(withKeys.chains).toEqual([
      expect.objectContaining({ checkpoints: 3, uncovered: 0, ok: true, firstSeq: 0, lastSeq: 14 }),
    ]);
    expect(withKeys).toEqual(lineByLine(v1Lines(), options));
    const keyless = await verifyFiles([V1_TRAIL], { threads: 1 });
    expect(keyless).toEqual(lineByLine(v1Lines()));
    expect(keyless.ok).toBe(true);
  });

  it('verifies in parts cut at every line, each seam joined as on one thread', async () => {
    const path = trailWith(v1Lines());
    const single = await verifyFiles([path], { ...options, threads: 1 });
    for (const report of await reportsCutAtEveryLine(path, v1Lines(), options))
      expect(report).toEqual(single);
  });

  it('verifies as a store', async () => {
    copyFileSync(V1_TRAIL, join(dir, 'audit.jsonl'));
    const store = fileStore(dir);
    try {
      expect(await verifyStore(store, options)).toMatchObject({ ok: true, events: 15, breaks: [] });
    } finally {
      await store.close();
    }
  });

  it('proves its events offline', async () => {
    // All but the final checkpoint, which no checkpoint covers.
    for (const line of v1Lines().slice(0, -1)) {
      const id = (JSON.parse(line) as AuditEvent).id;
      const proof = await proveEvent([V1_TRAIL], id);
      expect(verifyInclusionProof(JSON.parse(JSON.stringify(proof)), [V1_PUBLIC_KEY])).toEqual({ ok: true });
    }
  });

  it('shows an event relabelled as version 2 or edited', async () => {
    const lines = v1Lines();
    const relabelled = lines[3]!.replace(/("seq":3)\}/, '$1,"v":2}');
    const edited = lines[3]!.replace('"order 3 updated"', '"order 3 cancelled"');
    for (const changed of [relabelled, edited]) {
      expect(changed).not.toBe(lines[3]);
      const copy = [...lines];
      copy[3] = changed;
      const path = trailWith(copy);
      const report = await verifyFiles([path], { ...options, threads: 1 });
      expect(report.breaks).toEqual([expect.objectContaining({ kind: 'modified', seq: 3, line: 4 })]);
      expect(report).toEqual(lineByLine(copy, options, path));
    }
  });
});
