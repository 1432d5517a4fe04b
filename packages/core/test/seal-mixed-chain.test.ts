import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuditEvent,
  createAuditLogger,
  fileSink,
  generateSigningKeys,
  proveEvent,
  verifyFiles,
  verifyInclusionProof,
} from '@auditkit/core';
import { lineByLine, reportsCutAtEveryLine, V1_PUBLIC_KEY, V1_TRAIL, v1Lines } from './seal-v1-fixture';

// A writer that resumes a chain an older build closed goes on in the same chain under seal
// version 2: the chain holds both versions, and each event is checked and enters the Merkle tree
// by its own.

const keys = generateSigningKeys();
const options = { publicKeys: [V1_PUBLIC_KEY, keys.publicKeyPem], expectClosed: true };
let dir: string;
let path: string;
let lines: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-seal-mixed-'));
  path = join(dir, 'audit.jsonl');
  copyFileSync(V1_TRAIL, path);
  const logger = createAuditLogger({
    service: 'orders',
    instance: 'node-a',
    flushOnExit: false,
    batch: { maxWaitMs: 1 },
    sinks: [fileSink({ path })],
    integrity: { signingKey: keys.privateKeyPem, checkpointEvery: 3 },
  });
  for (let i = 0; i < 7; i++)
    logger.log({ type: 'order.shipped', resource: { type: 'order', id: `o-${i}` } });
  await logger.close();
  lines = readFileSync(path, 'utf8').trimEnd().split('\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a chain sealed under version 1, then resumed under version 2', () => {
  it('is one chain: the version 1 events as they were, then version 2 events linked to them', () => {
    const events = lines.map((l) => JSON.parse(l) as AuditEvent);
    const old = v1Lines();
    expect(lines.slice(0, old.length)).toEqual(old);
    expect(new Set(events.map((e) => e.integrity!.chain)).size).toBe(1);
    expect(events.map((e) => e.integrity!.seq)).toEqual([...events.keys()]);
    expect(events.map((e) => e.integrity!.v ?? 1)).toEqual([
      ...old.map(() => 1),
      ...events.slice(old.length).map(() => 2),
    ]);
    expect(events[old.length]!.integrity!.prev).toBe(events[old.length - 1]!.integrity!.hash);
  });

  it('verifies, from bytes, line by line and in parts cut at every line', async () => {
    const single = await verifyFiles([path], { ...options, threads: 1 });
    expect(single).toMatchObject({ ok: true, events: lines.length, breaks: [] });
    expect(single.chains).toEqual([expect.objectContaining({ checkpoints: 6, uncovered: 0, ok: true })]);
    expect(single).toEqual(lineByLine(lines, options, path));
    for (const report of await reportsCutAtEveryLine(path, lines, options)) expect(report).toEqual(single);
  });

  it('proves events of both versions against checkpoints over both', async () => {
    for (const line of lines.slice(0, -1)) {
      const proof = await proveEvent([path], (JSON.parse(line) as AuditEvent).id);
      expect(verifyInclusionProof(JSON.parse(JSON.stringify(proof)), options.publicKeys)).toEqual({
        ok: true,
      });
    }
  });
});
