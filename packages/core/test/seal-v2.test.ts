import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuditEvent,
  CHECKPOINT_TYPE,
  type CheckpointDetails,
  createAuditLogger,
  expectedHash,
  fileSink,
  fileStore,
  generateSigningKeys,
  merkle,
  proveEvent,
  verifyFiles,
  verifyInclusionProof,
  verifyStore,
} from '@auditkit/core';
import { lineByLine, reportsCutAtEveryLine } from './seal-v1-fixture';

// Seal version 2: the hash is SHA-256(0x00 ‖ the event's canonical JSON without the hash), the
// RFC 6962 leaf of that text, so the Merkle tree takes it as the event's leaf as it is. The seal
// says `"v":2`, inside the hashed text.

const keys = generateSigningKeys();
const options = { publicKeys: [keys.publicKeyPem], expectClosed: true };
let root: string;
let written: string[];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'auditkit-seal-v2-'));
  const path = join(root, 'written.jsonl');
  const logger = createAuditLogger({
    service: 'billing',
    instance: 'a',
    flushOnExit: false,
    batch: { maxWaitMs: 1 },
    sinks: [fileSink({ path })],
    integrity: { signingKey: keys.privateKeyPem, checkpointEvery: 4 },
  });
  for (let i = 0; i < 10; i++)
    logger.log({
      type: 'invoice.paid',
      resource: { type: 'invoice', id: `inv-${i}` },
      message: i % 3 === 1 ? `Zahlung für Müller ${i} ✓` : `invoice ${i} paid`,
      // Integer-like keys out of order: an event the seal serializes key by key.
      details: i === 5 ? { 10: 'a', 2: 'b' } : { amount: i, hash: i === 7 ? 'not the seal' : undefined },
    });
  await logger.close();
  written = readFileSync(path, 'utf8').trimEnd().split('\n');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

function trailWith(lines: readonly string[]): string {
  const dir = mkdtempSync(join(root, 'trail-'));
  writeFileSync(join(dir, 'audit.jsonl'), `${lines.join('\n')}\n`);
  return join(dir, 'audit.jsonl');
}

/** The breaks verifyFiles reports for `lines`, checked to be the line-by-line and the store's ones. */
async function breaksOf(lines: readonly string[]) {
  const path = trailWith(lines);
  const report = await verifyFiles([path], { ...options, threads: 1 });
  expect(report).toEqual(lineByLine(lines, options, path));
  const store = fileStore(path);
  try {
    const stored = await verifyStore(store, options);
    expect(stored.breaks.map((b) => [b.kind, b.seq])).toEqual(report.breaks.map((b) => [b.kind, b.seq]));
  } finally {
    await store.close();
  }
  return report.breaks;
}

describe('seal version 2', () => {
  it('hashes 0x00 ‖ the line without its hash, and the checkpoints root the hashes as leaves', () => {
    const events = written.map((l) => JSON.parse(l) as AuditEvent);
    expect(events.filter((e) => e.type === CHECKPOINT_TYPE)).toHaveLength(3);
    expect(events.some((e) => (e.details as Record<string, unknown>)['10'] === 'a')).toBe(true);
    written.forEach((line, i) => {
      const seal = events[i]!.integrity!;
      expect(seal.v).toBe(2);
      expect(line).toContain(`"seq":${i},"v":2}`);
      const unsigned = line.replace(`"hash":"${seal.hash}",`, '');
      expect(sha256(Buffer.concat([Buffer.of(0), Buffer.from(unsigned)]))).toBe(seal.hash);
      expect(expectedHash(events[i]!)).toBe(seal.hash);
    });
    const leaves = events.map((e) => new Uint8Array(Buffer.from(e.integrity!.hash, 'hex')));
    for (const e of events.filter((e) => e.type === CHECKPOINT_TYPE)) {
      const cp = (e.details as unknown as CheckpointDetails).checkpoint;
      const rooted = merkle.rootOfLeafHashes(leaves.slice(0, cp.size));
      expect(cp.merkleRoot).toBe(Buffer.from(rooted).toString('hex'));
    }
  });

  it('verifies from its bytes, in parts cut at every line, and as a store', async () => {
    const path = trailWith(written);
    const single = await verifyFiles([path], { ...options, threads: 1 });
    expect(single).toMatchObject({ ok: true, events: 13, breaks: [] });
    expect(single).toEqual(lineByLine(written, options, path));
    for (const report of await reportsCutAtEveryLine(path, written, options)) expect(report).toEqual(single);
    expect(await breaksOf(written)).toEqual([]);
  });

  it('shows an event whose text, version or label was changed', async () => {
    const line = written[2]!;
    const changes = {
      text: line.replace('"invoice 2 paid"', '"invoice 2 void"'),
      version: line.replace('"seq":2,"v":2}', '"seq":2,"v":3}'),
      'relabelled as version 1': line.replace('"seq":2,"v":2}', '"seq":2}'),
    };
    for (const [what, changed] of Object.entries(changes)) {
      expect([what, changed]).not.toEqual([what, line]);
      const lines = [...written];
      lines[2] = changed;
      expect([what, await breaksOf(lines)]).toEqual([
        what,
        [expect.objectContaining({ kind: 'modified', seq: 2, line: 3 })],
      ]);
    }
  });

  it('shows an event relabelled as version 1 and re-hashed that way, at the next link', async () => {
    const event = JSON.parse(written[2]!) as AuditEvent;
    const unsigned = written[2]!.replace(`"hash":"${event.integrity!.hash}",`, '').replace(',"v":2}', '}');
    const v1Hash = sha256(Buffer.from(unsigned));
    const lines = [...written];
    lines[2] = unsigned.replace(/("integrity":\{"chain":"[^"]+",)/, `$1"hash":"${v1Hash}",`);
    expect(expectedHash(JSON.parse(lines[2]!) as AuditEvent)).toBe(v1Hash);
    expect(await breaksOf(lines)).toEqual([expect.objectContaining({ kind: 'inserted', seq: 3 })]);
  });

  it('proves its events offline, and not once their seal is relabelled', async () => {
    const path = trailWith(written);
    for (const line of written.slice(0, -1)) {
      const proof = JSON.parse(JSON.stringify(await proveEvent([path], (JSON.parse(line) as AuditEvent).id)));
      expect(proof.event.integrity.v).toBe(2);
      expect(verifyInclusionProof(proof, [keys.publicKeyPem])).toEqual({ ok: true });
      delete proof.event.integrity.v;
      expect(verifyInclusionProof(proof, [keys.publicKeyPem])).toEqual({
        ok: false,
        reason: 'the event does not match its hash',
      });
      proof.event.integrity.v = 3;
      expect(verifyInclusionProof(proof, [keys.publicKeyPem])).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/version 3/),
      });
    }
  });
});
