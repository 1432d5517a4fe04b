import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChainVerifier,
  createAuditLogger,
  fileSink,
  generateSigningKeys,
  readAuditLines,
  resolveAuditFiles,
  type VerifyOptions,
  type VerifyReport,
  verifyFiles,
} from '@auditkit/core';
import fc from 'fast-check';

// verifyFiles checks lines the sealer wrote from their bytes, without parsing them; everything
// else takes the full parse. These tests hold it to the line-by-line verifier on the same files.

const keys = generateSigningKeys();
let dir: string;
let lines: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-verify-bytes-'));
  const path = join(dir, 'written.jsonl');
  const logger = createAuditLogger({
    service: 'billing',
    instance: 'a',
    flushOnExit: false,
    batch: { maxWaitMs: 1, maxEvents: 8 },
    sinks: [fileSink({ path })],
    integrity: { signingKey: keys.privateKeyPem, checkpointEvery: 6 },
  });
  for (let i = 0; i < 30; i++) {
    logger.log({
      type: i % 5 === 4 ? 'file.uploaded' : 'invoice.paid',
      actor: { id: `u-${i % 4}` },
      resource: { type: 'invoice', id: `inv-${i}` },
      // Some events the byte path must leave to the parse: non-ASCII text, escapes, a `hash` key
      // before the seal's own; the rest it reads.
      details:
        i % 5 === 4
          ? { hash: 'f'.repeat(64), amount: i }
          : i % 7 === 3
            ? { note: 'ünïcode ✓', amount: i }
            : i % 2 === 0
              ? { note: 'quote " and \\ backslash', amount: i, nested: { hash: `h${i}` } }
              : { note: 'plain', amount: i, list: [1, true, null, { n: -1.5e3 }] },
    });
  }
  await logger.close();
  lines = [];
  for await (const l of readAuditLines([path])) lines.push(l.text);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The line-by-line verifier: each line parsed in full. */
async function byLines(path: string, options: VerifyOptions): Promise<VerifyReport> {
  const verifier = new ChainVerifier(options);
  for await (const l of readAuditLines(await resolveAuditFiles([path])))
    verifier.addLine(l.text, { file: l.file, line: l.line });
  return verifier.finish();
}

let n = 0;
async function bothWays(text: string, options: VerifyOptions = { publicKeys: [keys.publicKeyPem] }) {
  const path = join(dir, `trail-${n++}.jsonl`);
  writeFileSync(path, text);
  return { bytes: await verifyFiles([path], options), parsed: await byLines(path, options) };
}

const SEALED_LINE = /"hash":"[0-9a-f]{64}",/;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A line changed and sealed again by someone who can rewrite the file but not sign. */
function rehashed(line: string, change: (unsigned: string) => string): string {
  const hash = /"hash":"([0-9a-f]{64})",/.exec(line)![1]!;
  const unsigned = change(line.replace(`"hash":"${hash}",`, ''));
  const newHash = sha256(unsigned);
  return unsigned
    .replace('"integrity":{"chain":', `"integrity":{"chain":`)
    .replace(/("integrity":\{"chain":"[^"]*",)/, `$1"hash":"${newHash}",`);
}

/** Ways to tamper with a trail: each takes the lines and an index and returns new lines. */
const tamperings: Record<string, (ls: string[], i: number) => string[]> = {
  none: (ls) => ls,
  'flip a character': (ls, i) => ls.with(i, ls[i]!.replace('"invoice"', '"invoicE"')),
  'delete a line': (ls, i) => ls.toSpliced(i, 1),
  'duplicate a line': (ls, i) => ls.toSpliced(i, 0, ls[i]!),
  'swap two lines': (ls, i) => (i + 1 < ls.length ? ls.with(i, ls[i + 1]!).with(i + 1, ls[i]!) : ls),
  'cut the tail': (ls, i) => ls.slice(0, i),
  'truncate a line': (ls, i) => ls.with(i, ls[i]!.slice(0, ls[i]!.length >> 1)),
  're-hash a changed line': (ls, i) =>
    ls.with(
      i,
      rehashed(ls[i]!, (u) => u.replace('"amount":', '"amount":1')),
    ),
  'copy the hash member into details': (ls, i) => {
    const member = /"hash":"[0-9a-f]{64}",/.exec(ls[i]!)![0];
    return ls.with(i, ls[i]!.replace('"details":{', `"details":{${member}`));
  },
  'escape a top-level key': (ls, i) => ls.with(i, ls[i]!.replace('"type":', '"typ\\u0065":')),
  'a second integrity before the seal': (ls, i) =>
    ls.with(i, ls[i]!.replace('"details":{', '"details":{"integrity":{"chain":"x","seq":0},')),
  'a duplicate top-level type': (ls, i) =>
    ls.with(i, ls[i]!.replace('"v":1}', '"v":1,"type":"audit.checkpoint"}')),
  'whitespace inside': (ls, i) => ls.with(i, ls[i]!.replace('"action":', ' "action" : ')),
  'carriage returns': (ls, i) => ls.with(i, `${ls[i]!}\r`),
  'a lone carriage return inside': (ls, i) => ls.with(i, ls[i]!.replace(',"category"', '\r,"category"')),
  'a number that is not JSON': (ls, i) => ls.with(i, ls[i]!.replace(/"seq":(\d+)/, '"seq":0$1')),
  'a control character in a string': (ls, i) => ls.with(i, ls[i]!.replace('"invoice"', '"invo\tice"')),
  'not JSON at all': (ls, i) => ls.toSpliced(i, 0, '{"integrity":{"chain":'),
  // Lines that are not JSON but carry a hash of their own bytes: only a signed checkpoint, or the
  // validating scan, tells them from the sealer's.
  're-hash a line made not JSON': (ls, i) =>
    ls.with(
      i,
      rehashed(ls[i]!, (u) => u.replace('"amount":', '"amount":0')),
    ),
  're-hash a line with a control character': (ls, i) =>
    ls.with(
      i,
      rehashed(ls[i]!, (u) => u.replace('"invoice"', '"invo\tice"')),
    ),
  're-hash a line with a bracket unclosed': (ls, i) =>
    ls.with(
      i,
      rehashed(ls[i]!, (u) => u.replace('"resource":{', '"resource":[{')),
    ),
  'an empty line': (ls, i) => ls.toSpliced(i, 0, ''),
};

describe('verifyFiles reading lines as bytes', () => {
  it('verifies an untouched trail exactly as the line-by-line verifier does', async () => {
    const { bytes, parsed } = await bothWays(`${lines.join('\n')}\n`, {
      publicKeys: [keys.publicKeyPem],
      expectClosed: true,
    });
    expect(parsed.ok).toBe(true);
    expect(bytes).toEqual(parsed);
  });

  it.each(Object.keys(tamperings))(
    'finds the same breaks when a trail is tampered with: %s',
    async (name) => {
      const tamper = tamperings[name]!;
      for (const i of [0, 1, 4, 9, 13, 20, lines.length - 2]) {
        const { bytes, parsed } = await bothWays(`${tamper(lines, i).join('\n')}\n`);
        expect(bytes).toEqual(parsed);
      }
    },
  );

  it('agrees on arbitrary combinations of tamperings, line endings and missing final newline', async () => {
    const names = Object.keys(tamperings);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...names), fc.nat({ max: lines.length - 1 })), { maxLength: 3 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        async (steps, eol, finalEol) => {
          let ls = lines;
          for (const [name, i] of steps) {
            const at = Math.min(i, ls.length - 1);
            // Each tampering aims at a sealed line; where earlier steps left none, it has nothing to change.
            if (at < 0 || !SEALED_LINE.test(ls[at]!)) continue;
            ls = tamperings[name]!(ls, at);
          }
          const { bytes, parsed } = await bothWays(ls.join(eol) + (finalEol ? eol : ''));
          expect(bytes).toEqual(parsed);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reports a line that is not JSON but hashes and links like an event, after the last checkpoint', async () => {
    // The newest event, no checkpoint after it: no signature covers it. (One whose own text the
    // byte path reads: no `hash` key before the seal.)
    const last = lines.findLastIndex((l) => l.includes('ünïcode'));
    const tail = lines.slice(0, last + 1);
    const forged = tail.with(
      last,
      rehashed(tail[last]!, (u) => u.replace('"amount":', '"amount":0')),
    );
    expect(() => JSON.parse(forged[last]!)).toThrow();
    const { bytes, parsed } = await bothWays(`${forged.join('\n')}\n`);
    expect(parsed.breaks.map((b) => b.kind)).toEqual(['unparseable']);
    expect(bytes).toEqual(parsed);
  });
});
