/**
 * The seal stage writes an event's canonical JSON field by field, straight to bytes. Whatever the
 * values, the line it stores and the hash it seals are those of RFC 8785 canonical JSON of the
 * event with its seal, as `canonicalize` (the reference verification uses) writes them.
 */

import fc from 'fast-check';
import { type AuditEvent, canonicalize, canonicalJson, expectedHash } from '../src';
import { EVENT_KEYS, EventBytes, eventRecordIn, eventText, sealedLine } from '../src/seal/sealer';
import { SEAL_VERSION } from '../src/seal/version';
import { leavesWith, valuesOf } from './json-arbitraries';

const target = Buffer.alloc(64 * 1024);

const leaf = leavesWith(
  () => 1,
  Symbol('s'),
  'ünïcödé € 😀',
  '\ud800 lone',
  '"\\\n\u0000',
  `${'long '.repeat(20)}\u2028`,
);
const value = valuesOf(leaf);
const fields = [...EVENT_KEYS].filter((k) => k !== 'integrity');
/** Any subset of the event's fields, in any insertion order, with any values. */
const event = fc
  .array(fc.tuple(fc.constantFrom(...fields), value), { maxLength: fields.length })
  .map((entries) => Object.fromEntries(entries) as unknown as AuditEvent);

/** Whether a non-array object in `v` has a toJSON function (the writer leaves those to canonicalize). */
function hasToJSON(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (!Array.isArray(v) && typeof (v as { toJSON?: unknown }).toJSON === 'function') return true;
  return Object.values(v).some(hasToJSON);
}

describe('an event written straight to canonical JSON', () => {
  it('is stored and hashed as canonicalize writes the event with its seal', () => {
    fc.assert(
      fc.property(
        event,
        fc.nat(),
        fc.option(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 })),
        (e, seq, prev) => {
          const { line, hash } = sealedLine(e, 'svc@a#00', seq, prev);
          const sealed = { ...e, integrity: { chain: 'svc@a#00', seq, prev, hash, v: SEAL_VERSION } };
          expect(line).toBe(canonicalize(sealed));
          expect(hash).toBe(expectedHash(sealed));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('gives its halves without a seal as canonical JSON of the event', () => {
    let written = 0;
    fc.assert(
      fc.property(event, (e) => {
        // Undefined only where a value's toJSON function leaves it to the generic path.
        const text = eventText(e);
        if (text === undefined) expect(hasToJSON(e)).toBe(true);
        else {
          written++;
          expect(text.json()).toBe(canonicalize(e));
        }
      }),
      { numRuns: 500 },
    );
    expect(written).toBeGreaterThan(400);
  });

  it('gives the same halves as one UTF-8 record written in place for a hand-off between threads', () => {
    const target = Buffer.alloc(64 * 1024, 0x2a);
    fc.assert(
      fc.property(event, fc.integer({ min: 0, max: 64 }), (e, start) => {
        const text = eventText(e);
        const end = eventRecordIn(e, 'c', target, start, target.length);
        if (text === undefined) expect(end).toBe(-1);
        else expect(target.toString('utf8', start, end)).toBe(`c${text.head}\n${text.tail}`);
      }),
      { numRuns: 300 },
    );
  });

  it('writes nothing at or past the end of the region it is given, and gives -1 when the record does not fit', () => {
    const e = { v: 1, id: 'x', type: 't', details: { note: 'é'.repeat(40), n: 7 } } as unknown as AuditEvent;
    const whole = Buffer.alloc(1024);
    const length = eventRecordIn(e, 'c', whole, 0, whole.length);
    expect(length).toBeGreaterThan(0);
    for (const room of [0, 1, length - 1, length, length + 200]) {
      const target = Buffer.alloc(length + 300, 0x2a);
      const end = eventRecordIn(e, 'c', target, 10, 10 + room);
      // The writer reserves a string's worst case: a record may be refused with a little room to spare.
      if (end >= 0) {
        expect(end).toBe(10 + length);
        expect(target.subarray(10, end)).toEqual(whole.subarray(0, length));
      }
      if (room >= length + 200) expect(end).toBe(10 + length);
      if (room < length) expect(end).toBe(-1);
      expect(target.subarray(0, 10).every((b) => b === 0x2a)).toBe(true);
      expect(target.subarray(10 + room).every((b) => b === 0x2a)).toBe(true);
    }
    // The writer's own buffer is untouched by a refused record: the next event is written whole.
    expect(eventText(e)?.json()).toBe(canonicalize(e));
  });

  it('leaves values canonical JSON refuses, and toJSON, to the generic path', () => {
    const base = { v: 1, id: 'x', type: 't' } as unknown as AuditEvent;
    expect(eventText({ ...base, details: { n: Number.NaN } })).toBeUndefined();
    expect(eventText({ ...base, details: { n: [1n] } })).toBeUndefined();
    const withDate = { ...base, details: { at: new Date(0), nested: { toJSON: () => ({ b: 1, a: 2 }) } } };
    expect(eventText(withDate)).toBeUndefined();
    // The generic path writes what canonicalize writes.
    expect(sealedLine(withDate, 'c', 0, null).line).toBe(
      canonicalize({
        ...withDate,
        integrity: {
          chain: 'c',
          seq: 0,
          prev: null,
          hash: sealedLine(withDate, 'c', 0, null).hash,
          v: SEAL_VERSION,
        },
      }),
    );
    // A value it left half written leaves nothing behind for the next event.
    expect(eventText(base)?.json()).toBe(canonicalize(base));
  });

  it('stays correct when a getter writes canonical JSON while the event is being written', () => {
    const details = Object.defineProperty({ z: 1 }, 'inner', {
      enumerable: true,
      get: () => canonicalJson({ b: 'é', a: [1, { d: 2, c: 3 }] }),
    });
    const e = { v: 1, id: 'x', type: 't', details } as unknown as AuditEvent;
    expect(eventText(e)?.json()).toBe(canonicalize(e));
    expect(canonicalJson(e)).toBe(canonicalize(e));
  });

  it('writes a shared source as canonicalize does, whichever sources come in turn', () => {
    // Only a frozen object of primitives cannot change between two events: the others may be
    // written from memory never.
    const mutable = { service: 'm', host: 'h' };
    const inner = { a: '' };
    let turn = 0;
    const sources = [
      Object.freeze({ host: 'vm', instance: 'vm:1', service: 'shop' }),
      Object.freeze({ host: 'vm', service: 'bückerei 漢字 😀' }),
      Object.freeze({ service: 'nested', extra: inner }),
      Object.freeze(
        Object.defineProperty({ service: 'g' }, 'host', { enumerable: true, get: () => `h${turn}` }),
      ),
      mutable,
      undefined,
    ];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(sources.length - 1), fc.boolean(), fc.string()), { maxLength: 30 }),
        (turns) => {
          for (const [i, ascii, word] of turns) {
            turn++;
            mutable.host = word;
            inner.a = word;
            const e = { v: 1, id: 'x', type: 't', source: sources[i], message: ascii ? 'plain' : 'é' };
            expect(eventText(e as unknown as AuditEvent)?.json()).toBe(canonicalize(e));
            const at = eventRecordIn(e as unknown as AuditEvent, '', target, 0, target.length);
            expect(new EventBytes(target.subarray(0, at)).text().json()).toBe(canonicalize(e));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
