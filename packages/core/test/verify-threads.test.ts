import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createAuditLogger,
  fileSink,
  generateSigningKeys,
  resolveAuditFiles,
  type VerifyOptions,
  verifyFiles,
} from '@auditkit/core';
import fc from 'fast-check';
import { readAuditBlocks, readAuditRange } from '../src/sinks/tail';
import { planParts } from '../src/verify/part-plan';
import { verifyInParts } from '../src/verify/verify-parts';

// verifyFiles on several threads cuts the files into parts, verifies each on a worker and joins
// them here, checking the seams. These tests hold it to the single-threaded verifier on the same
// real trails: rotated files (plain and gzipped), two writers' chains one after the other,
// checkpoints every few events, and plain files large enough to be cut inside.

const keys = generateSigningKeys();
let root: string;
let trail: string;
let plainTrail: string;
let keylessTrail: string;

async function write(dir: string, gzip: boolean, signed = true): Promise<void> {
  // Two writers in turn: the second's chain names the head the first left.
  for (const instance of ['a', 'b']) {
    const logger = createAuditLogger({
      service: 'billing',
      instance,
      flushOnExit: false,
      batch: { maxWaitMs: 1, maxEvents: 16 },
      sinks: [fileSink({ path: join(dir, 'audit.jsonl'), maxSize: 120 * 1024, gzip })],
      integrity: signed ? { signingKey: keys.privateKeyPem, checkpointEvery: 25 } : {},
    });
    for (let i = 0; i < 500; i++) {
      logger.log({
        type: 'invoice.paid',
        actor: { id: `u-${i % 4}` },
        resource: { type: 'invoice', id: `inv-${instance}-${i}` },
        details: { note: i % 9 === 0 ? 'ünïcode ✓' : 'plain', amount: i, padding: 'x'.repeat(300) },
      });
      if (i % 50 === 49) await logger.flush();
    }
    await logger.close();
  }
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'auditkit-verify-threads-'));
  trail = join(root, 'gzipped');
  plainTrail = join(root, 'plain');
  keylessTrail = join(root, 'keyless');
  for (const [dir, gzip, signed] of [
    [trail, true, true],
    [plainTrail, false, true],
    [keylessTrail, false, false],
  ] as const) {
    mkdirSync(dir);
    await write(dir, gzip, signed);
  }
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const options: VerifyOptions = { publicKeys: [keys.publicKeyPem], expectClosed: true };

let copies = 0;
/** A copy of the plain trail, changed by `change(files)`. */
async function tampered(change: (files: string[]) => void): Promise<string> {
  const dir = join(root, `copy-${copies++}`);
  cpSync(plainTrail, dir, { recursive: true });
  change(await resolveAuditFiles([dir]));
  return dir;
}

const linesOf = (file: string) => readFileSync(file, 'utf8').split('\n');
const rewrite = (file: string, edit: (lines: string[]) => string[]) =>
  writeFileSync(file, edit(linesOf(file)).join('\n'));

/** Single-threaded and on four threads (parts small enough to cut these files): the reports must be equal. */
async function bothWays(dir: string, opts: VerifyOptions = options) {
  const one = await verifyFiles([dir], { ...opts, threads: 1 });
  const four = await verifyFiles([dir], { ...opts, threads: 4 });
  expect(four).toEqual(one);
  return one;
}

describe('verifyFiles on several threads', () => {
  it('cuts the trail into parts, inside files and at file boundaries, and joins them into the same report', async () => {
    for (const dir of [trail, plainTrail]) {
      const files = await resolveAuditFiles([dir]);
      expect(files.length).toBeGreaterThan(3);
      const plan = await planParts(files, 4);
      // Plain files are cut inside; gzipped ones where that evens out the threads' shares.
      if (dir === plainTrail) expect(plan.parts.length).toBeGreaterThan(files.length);
      else expect(plan.parts.length).toBeGreaterThanOrEqual(files.length);
      const joined = await verifyInParts(plan.parts, files, 2, options);
      const single = await verifyFiles([dir], { ...options, threads: 1 });
      expect(single.ok).toBe(true);
      expect(single.chains).toHaveLength(2);
      expect(single.chains[1]!.follows?.chain).toBe(single.chains[0]!.chain);
      // Joined from the parts, not verified again in one piece.
      expect(joined).toEqual(single);
      expect(await verifyFiles([dir], { ...options, threads: 4 })).toEqual(single);
    }
  });

  it('joins the parts of a trail written without a signing key (no checkpoints) into the same report', async () => {
    const files = await resolveAuditFiles([keylessTrail]);
    const plan = await planParts(files, 4);
    expect(plan.parts.length).toBeGreaterThan(files.length);
    const keyless: VerifyOptions = { expectClosed: true };
    const single = await verifyFiles([keylessTrail], { ...keyless, threads: 1 });
    expect(single.ok).toBe(true);
    expect(single.chains.every((c) => c.checkpoints === 0)).toBe(true);
    expect(await verifyInParts(plan.parts, files, 2, keyless)).toEqual(single);
    expect(await verifyFiles([keylessTrail], { ...keyless, threads: 4 })).toEqual(single);
  });

  it('gives the single-threaded report for a changed event, in the middle of a file and at a seam', async () => {
    // The first and last events of a file (where a seam lies) and one in between.
    const firstEvent = (ls: string[]) => ls.findIndex((l) => l.includes('"amount":'));
    const lastEvent = (ls: string[]) => ls.findLastIndex((l) => l.includes('"amount":'));
    for (const at of [firstEvent, (ls: string[]) => firstEvent(ls) + 40, lastEvent]) {
      const dir = await tampered((files) =>
        rewrite(files[1]!, (ls) => ls.with(at(ls), ls[at(ls)]!.replace('"amount":', '"amount":1'))),
      );
      const report = await bothWays(dir);
      expect(report.breaks[0]?.kind).toBe('modified');
    }
  });

  it('gives the single-threaded report for reordered and deleted events', async () => {
    const swapped = await tampered((files) =>
      rewrite(files[2]!, (ls) => ls.with(10, ls[11]!).with(11, ls[10]!)),
    );
    expect((await bothWays(swapped)).breaks.map((b) => b.kind)).toContain('reordered');
    const deleted = await tampered((files) => rewrite(files[2]!, (ls) => ls.toSpliced(30, 1)));
    expect((await bothWays(deleted)).breaks[0]?.kind).toBe('deleted');
    // The first line of a file: the link across the file boundary is what breaks.
    const firstOfFile = await tampered((files) => rewrite(files[3]!, (ls) => ls.toSpliced(0, 1)));
    expect((await bothWays(firstOfFile)).ok).toBe(false);
  });

  it('gives the single-threaded report for a deleted file and a cut tail', async () => {
    const noFile = await tampered((files) => unlinkSync(files[1]!));
    expect((await bothWays(noFile)).breaks[0]?.kind).toBe('deleted');
    const cut = await tampered((files) => rewrite(files.at(-1)!, (ls) => ls.slice(0, ls.length - 12)));
    const report = await bothWays(cut);
    expect(report.breaks.map((b) => b.kind)).toContain('truncated');
  });

  it('gives the single-threaded report for lines that are not events', async () => {
    const dir = await tampered((files) => rewrite(files[2]!, (ls) => ls.toSpliced(5, 0, '{"integrity":')));
    expect((await bothWays(dir)).breaks[0]?.kind).toBe('unparseable');
  });

  it('gives the single-threaded report for an empty trail, allowed or not', async () => {
    const dir = join(root, 'empty');
    mkdirSync(dir);
    writeFileSync(join(dir, 'audit.jsonl'), '');
    expect((await bothWays(dir)).breaks[0]?.kind).toBe('empty');
    expect((await bothWays(dir, { ...options, allowEmpty: true })).ok).toBe(true);
  });

  it('rejects a number of threads that is not a whole number of at least 1, naming the option', async () => {
    for (const threads of [0, 1.5, -2, Number.NaN, '2' as unknown as number])
      await expect(verifyFiles([plainTrail], { threads })).rejects.toThrow(
        /threads must be a whole number >= 1/,
      );
  });

  it('reads each line of a file exactly once from parts cut at any offsets, plain or gzipped', async () => {
    const text = async (blocks: AsyncIterable<{ data: Buffer }>) => {
      const out: Buffer[] = [];
      for await (const b of blocks) out.push(b.data);
      return Buffer.concat(out).toString('latin1');
    };
    for (const dir of [trail, plainTrail]) {
      const files = await resolveAuditFiles([dir]);
      const file = files[1]!;
      const whole = await text(readAuditBlocks([file]));
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(fc.nat({ max: whole.length + 10 }), { maxLength: 4 }),
          async (cuts) => {
            const at = [0, ...cuts.sort((a, b) => a - b), Number.POSITIVE_INFINITY];
            let joined = '';
            for (let i = 0; i + 1 < at.length; i++)
              joined += await text(readAuditRange({ file, start: at[i]!, end: at[i + 1]! }));
            expect(joined).toBe(whole);
          },
        ),
        { numRuns: 40 },
      );
      // At and around line starts, where an off-by-one would show.
      const single = await verifyFiles([dir], { ...options, threads: 1 });
      const starts = [...whole.matchAll(/\n/g)].slice(0, 2).map((m) => m.index! + 1);
      for (const s of starts)
        for (const cut of [s - 1, s, s + 1]) {
          const halves = [
            { file, start: 0, end: cut },
            { file, start: cut, end: Number.POSITIVE_INFINITY },
          ];
          expect((await text(readAuditRange(halves[0]!))) + (await text(readAuditRange(halves[1]!)))).toBe(
            whole,
          );
          // The trail verified with that file in those two parts joins into the same report.
          const whole0 = { file: files[0]!, start: 0, end: Number.POSITIVE_INFINITY };
          const rest = files.slice(2).map((f) => ({ file: f, start: 0, end: Number.POSITIVE_INFINITY }));
          expect(await verifyInParts([whole0, ...halves, ...rest], files, 2, options)).toEqual(single);
        }
    }
  });

  it('verifies the first part on the calling thread while the workers start, with one thread as with several', async () => {
    const files = await resolveAuditFiles([trail]);
    const plan = await planParts(files, 4);
    const single = await verifyFiles([trail], { ...options, threads: 1 });
    // One thread: no worker at all, every part here.
    expect(await verifyInParts(plan.parts, files, 1, options)).toEqual(single);
    expect(await verifyInParts(plan.parts, files, 3, options)).toEqual(single);
  });
});
