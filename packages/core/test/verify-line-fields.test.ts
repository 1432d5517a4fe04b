import fc from 'fast-check';
import { findSealFields, noLineFields, scanLine } from '../src/verify/line-scan';

// The byte path reads a line's top-level integrity, type and source without JSON.parse. On any JSON
// line these scans accept, what they find must be what JSON.parse reads, duplicates and all.

const fields = noLineFields;

/** A top-level member of a line: keys the verifier reads, and others, in any order, repeated. */
const member = fc.tuple(
  fc.oneof(
    fc.constantFrom('integrity', 'type', 'source', 'hash', 'details', 'v'),
    fc.string({ maxLength: 6 }),
  ),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Compact JSON text of an object with these members, keys repeated as written (JSON.stringify would not). */
const lineOf = (members: [string, unknown][]) =>
  `{${members.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;

function expectAsParsed(line: string, found: LineFields): void {
  const parsed = JSON.parse(line) as Record<string, unknown>;
  const b = Buffer.from(line);
  const read = (from: number, to: number) =>
    from < 0 ? undefined : JSON.parse(b.toString('utf8', from, to));
  expect(read(found.integrityStart, found.integrityEnd)).toEqual(parsed.integrity);
  expect(read(found.typeStart, found.typeEnd)).toEqual(parsed.type);
  expect(read(found.sourceStart, found.sourceEnd)).toEqual(parsed.source);
}

describe('reading the fields of a line from its bytes', () => {
  it('finds what JSON.parse reads, following the line back from its end (findSealFields)', () => {
    fc.assert(
      fc.property(fc.array(member, { maxLength: 8 }), (members) => {
        const line = lineOf(members);
        const f = fields();
        if (!findSealFields(Buffer.from(line), 0, Buffer.byteLength(line), f)) return;
        expectAsParsed(line, f);
      }),
      { numRuns: 2000 },
    );
  });

  it('finds what JSON.parse reads, validating every byte (scanLine)', () => {
    fc.assert(
      fc.property(fc.array(member, { maxLength: 8 }), (members) => {
        const line = lineOf(members);
        const f = fields();
        if (!scanLine(Buffer.from(line), 0, Buffer.byteLength(line), f)) return;
        expectAsParsed(line, f);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a sealed line as the sealer writes it, escapes and nested look-alikes included', () => {
    const line = lineOf([
      ['details', { integrity: { chain: 'x' }, type: 'audit.checkpoint', note: 'a "quoted" \\ "type":"y",' }],
      ['integrity', { chain: 'c', hash: 'f'.repeat(64), prev: null, seq: 0 }],
      ['resource', { type: 'invoice', id: '\\"' }],
      ['source', { service: 'billing' }],
      ['type', 'invoice.paid'],
      ['v', 1],
    ]);
    const f = fields();
    expect(findSealFields(Buffer.from(line), 0, line.length, f)).toBe(true);
    expectAsParsed(line, f);
  });

  it('declines whitespace, escaped keys and a type or source before the seal', () => {
    const sealed = { chain: 'c', hash: 'f'.repeat(64), prev: null, seq: 0 };
    for (const line of [
      `{"integrity":${JSON.stringify(sealed)}, "source":{},"type":"t"}`,
      `{"integrity":${JSON.stringify(sealed)},"source":{},"typ\\u0065":"t"}`,
      `{"type":"audit.checkpoint","integrity":${JSON.stringify(sealed)},"source":{}}`,
      `{"source":{},"integrity":${JSON.stringify(sealed)},"type":"t"}`,
    ])
      expect(findSealFields(Buffer.from(line), 0, line.length, fields())).toBe(false);
  });
});
