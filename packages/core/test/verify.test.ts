import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuditEvent,
  type BreakKind,
  CHECKPOINT_TYPE,
  ChainVerifier,
  canonicalize,
  createAuditLogger,
  fileSink,
  generateSigningKeys,
  readAuditLines,
  resolveAuditFiles,
  type VerifyOptions,
  verifyFiles,
} from '@auditkit/core';
import fc from 'fast-check';

const keys = generateSigningKeys();
let dir: string;
let lines: string[];
let verifyOptions: VerifyOptions;

/**
 * Three writers on one file set, with rotation and gzip: a first run, a restart that continues its
 * chain, and another instance that starts a new chain naming the previous head.
 */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-verify-'));
  const path = join(dir, 'audit.jsonl');
  // Kept away from the events, as the option's documentation asks.
  const checkpointFile = join(mkdtempSync(join(tmpdir(), 'auditkit-checkpoints-')), 'checkpoints.jsonl');
  const run = async (instance: string, n: number) => {
    const logger = createAuditLogger({
      service: 'billing',
      instance,
      flushOnExit: false,
      batch: { maxWaitMs: 1, maxEvents: 8 },
      sinks: [fileSink({ path, maxSize: 6000, gzip: true })],
      integrity: { signingKey: keys.privateKeyPem, checkpointEvery: 7, checkpointFile },
    });
    for (let i = 0; i < n; i++) {
      logger.log({
        type: i % 3 ? 'invoice.viewed' : 'invoice.paid',
        actor: { id: `u-${i % 4}` },
        tenant: 'acme',
        resource: { type: 'invoice', id: `inv-${instance}-${i}` },
        details: { amount: i * 10, note: 'ünïcode ✓' },
      });
    }
    await logger.close();
  };
  await run('a', 40);
  await run('a', 15);
  await run('b', 20);
  lines = [];
  for await (const l of readAuditLines(await resolveAuditFiles([path]))) lines.push(l.text);
  const checkpoints = readFileSync(checkpointFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  verifyOptions = { publicKeys: [keys.publicKeyPem], expectClosed: true, checkpoints };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function verify(stored: readonly string[], options = verifyOptions) {
  const v = new ChainVerifier(options);
  for (const [i, text] of stored.entries()) v.addLine(text, { line: i + 1 });
  return v.finish();
}

const parse = (text: string) => JSON.parse(text) as AuditEvent;
const chainOf = (text: string) => parse(text).integrity!.chain;

/** What someone without the signing key can do: recompute the hash chain after an edit. */
function rehashFrom(stored: string[], from: number, rewriteCheckpoints: boolean): string[] {
  const out = [...stored];
  const chain = chainOf(out[from]!);
  let prev =
    from > 0 && chainOf(out[from - 1]!) === chain
      ? parse(out[from - 1]!).integrity!.hash
      : parse(out[from]!).integrity!.prev;
  for (let i = from; i < out.length; i++) {
    const e = parse(out[i]!);
    if (e.integrity!.chain !== chain) continue;
    if (rewriteCheckpoints && e.type === CHECKPOINT_TYPE)
      (e.details as { checkpoint: { hash: string } }).checkpoint.hash = prev!;
    const unsigned = { ...e, integrity: { chain, prev, seq: e.integrity!.seq } };
    const hash = createHash('sha256').update(canonicalize(unsigned)).digest('hex');
    e.integrity = { chain, seq: e.integrity!.seq, prev, hash };
    out[i] = canonicalize(e);
    prev = hash;
  }
  return out;
}

describe('verify', () => {
  it('finds nothing wrong with untouched data across rotation, gzip and restarts', async () => {
    expect(lines.length).toBeGreaterThan(80);
    const report = verify(lines);
    expect(report.breaks).toEqual([]);
    expect(report).toMatchObject({ ok: true, events: lines.length, signaturesChecked: true });
    expect(report.chains).toHaveLength(2);
    expect(report.chains.every((c) => c.uncovered === 0 && c.lastCheckpoint?.signatureChecked)).toBe(true);
    const fromFiles = await verifyFiles([dir], verifyOptions);
    expect(fromFiles).toMatchObject({ ok: true, events: lines.length });
  });

  it('finds every single mutation: changed field, deletion, insertion, swap, truncation, re-hash without the key', () => {
    const mutation = fc.oneof(
      fc.record({
        kind: fc.constant('modify' as const),
        at: fc.nat(),
        field: fc.constantFrom('time', 'type', 'tenant', 'details', 'actor', 'outcome'),
      }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), from: fc.nat() }),
      fc.record({ kind: fc.constant('swap' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('truncate' as const), count: fc.integer({ min: 1, max: 30 }) }),
      fc.record({ kind: fc.constant('rehash' as const), at: fc.nat(), rewriteCheckpoints: fc.boolean() }),
    );
    fc.assert(
      fc.property(mutation, (m) => {
        let stored = [...lines];
        const n = stored.length;
        let expected: BreakKind[];
        switch (m.kind) {
          case 'modify': {
            const i = m.at % n;
            const e = parse(stored[i]!) as unknown as Record<string, unknown>;
            e[m.field] =
              m.field === 'details'
                ? { amount: -1 }
                : m.field === 'actor'
                  ? { type: 'user', id: 'mallory' }
                  : `forged-${m.field}`;
            stored[i] = JSON.stringify(e);
            expected = ['modified'];
            break;
          }
          case 'delete':
            stored.splice(m.at % n, 1);
            expected = ['deleted', 'truncated'];
            break;
          case 'insert': {
            const from = m.from % n;
            const at = from + 1 + (m.at % (n - from));
            stored.splice(at, 0, stored[from]!);
            expected = ['inserted'];
            break;
          }
          case 'swap': {
            const candidates = [...Array(n - 1).keys()].filter(
              (i) => chainOf(stored[i]!) === chainOf(stored[i + 1]!),
            );
            const i = candidates[m.at % candidates.length]!;
            [stored[i], stored[i + 1]] = [stored[i + 1]!, stored[i]!];
            expected = ['reordered'];
            break;
          }
          case 'truncate':
            stored = stored.slice(0, n - m.count);
            expected = ['truncated'];
            break;
          case 'rehash': {
            const i = m.at % n;
            const e = parse(stored[i]!);
            e.message = 'rewritten by someone without the key';
            stored[i] = canonicalize(e);
            stored = rehashFrom(stored, i, m.rewriteCheckpoints);
            expected = ['forged', 'bad-signature', 'truncated'];
            break;
          }
        }
        const report = verify(stored);
        expect(report.ok).toBe(false);
        expect(expected).toContain(report.breaks[0]!.kind);
      }),
      { numRuns: 300 },
    );
  });

  it('names the exact place and kind of a break', () => {
    const stored = [...lines];
    const e = parse(stored[10]!);
    (e.details as Record<string, unknown>).amount = 1_000_000;
    stored[10] = canonicalize(e);
    const report = verify(stored);
    expect(report.breaks).toEqual([
      expect.objectContaining({
        kind: 'modified',
        line: 11,
        seq: e.integrity!.seq,
        eventId: e.id,
        chain: e.integrity!.chain,
      }),
    ]);
  });

  it('a checkpoint signed by an unknown key, or with a bad signature, is a break', () => {
    const other = generateSigningKeys();
    expect(verify(lines, { ...verifyOptions, publicKeys: [other.publicKeyPem] }).breaks[0]!.kind).toBe(
      'unknown-key',
    );
    const i = lines.findIndex((l) => parse(l).type === CHECKPOINT_TYPE);
    const cp = parse(lines[i]!);
    (cp.details as { signature: string }).signature = Buffer.alloc(64).toString('base64');
    const forged = rehashFrom([...lines.slice(0, i), canonicalize(cp), ...lines.slice(i + 1)], i, false);
    expect(verify(forged).breaks[0]!.kind).toBe('bad-signature');
  });

  it('without public keys checks everything but the signatures, and says so', () => {
    const report = verify(lines, { expectClosed: true });
    expect(report).toMatchObject({ ok: true, signaturesChecked: false });
  });

  it('reports lines that are not events and events that are not sealed', () => {
    const report = verify([...lines, 'not json', JSON.stringify({ v: 1, id: 'x', type: 't' })]);
    expect(report.breaks.map((b) => b.kind)).toEqual(['unparseable', 'unsealed']);
  });
});
