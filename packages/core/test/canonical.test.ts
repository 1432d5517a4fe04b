import { canonicalize, canonicalJson } from '@auditkit/core';
import reference from 'canonicalize';
import fc from 'fast-check';
import { leavesWith, valuesOf } from './json-arbitraries';

describe('canonical JSON (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and writes numbers and strings as the RFC does', () => {
    expect(canonicalize({ b: 1, a: [3, { d: true, c: null }], '€': 'x', é: 'y', '\u0080': 1 })).toBe(
      '{"a":[3,{"c":null,"d":true}],"b":1,"\u0080":1,"é":"y","€":"x"}',
    );
    expect(canonicalize({ n: [1e21, 1e-7, -0, 0.1, 333333333.3333333] })).toBe(
      '{"n":[1e+21,1e-7,0,0.1,333333333.3333333]}',
    );
    expect(canonicalize('\u2028\n"\\\u0001')).toBe('"\u2028\\n\\"\\\\\\u0001"');
    expect(canonicalize({ skip: undefined, keep: 1 })).toBe('{"keep":1}');
  });

  it('agrees with the reference implementation on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalize(value)).toBe(reference(value));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses values JSON cannot represent', () => {
    expect(() => canonicalize(Number.NaN)).toThrow(TypeError);
    expect(() => canonicalize(10n)).toThrow(TypeError);
  });

  describe('canonicalJson (the direct writer the seal stage uses)', () => {
    const leaf = leavesWith(
      1e-7,
      5e-324,
      new Date(0),
      { toJSON: () => ({ b: 1, a: 2 }) },
      'é€😀',
      '\ud800 lone, \udc00 lone',
      '"quoted" \\ back\u001f\u007f\u2028',
      'x'.repeat(70),
      `${'y'.repeat(70)}\n`,
      `${'z'.repeat(70)}é`,
    );
    const value = valuesOf(leaf);

    it('agrees with the reference implementation on arbitrary values, sorted or not', () => {
      fc.assert(
        fc.property(value, (v) => {
          const json = canonicalJson(v);
          expect(json).toBe(canonicalize(v));
          // The reference has no text for a lone undefined; ours writes null, as arrays do.
          if (v !== undefined) expect(json).toBe(reference(v));
        }),
        { numRuns: 1000 },
      );
    });

    it('leaves out or writes null for functions and symbols exactly as canonicalize does', () => {
      // The reference writes `undefined` for a function in an array; canonicalize (and JSON) write null.
      fc.assert(
        fc.property(
          valuesOf(
            fc.oneof(
              leaf,
              fc.constantFrom(() => 1, Symbol('s')),
            ),
          ),
          (v) => {
            expect(canonicalJson(v)).toBe(canonicalize(v));
          },
        ),
        { numRuns: 500 },
      );
    });

    it('orders the keys of small and large objects alike (both sides of the short-key-list sort)', () => {
      fc.assert(
        fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 40 }), (v) => {
          expect(canonicalJson(v)).toBe(reference(v));
        }),
        { numRuns: 500 },
      );
    });

    it('agrees with canonicalize on values already in canonical key order', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (v) => {
          const sorted = JSON.parse(canonicalize(v));
          expect(canonicalJson(sorted)).toBe(canonicalize(v));
        }),
        { numRuns: 300 },
      );
    });

    it('writes only own keys when Object.prototype carries an enumerable key', () => {
      const values = [{ a: 1, b: { c: 2 } }, { b: 1, a: [{ y: 1, x: 2 }] }, { only: 'one' }];
      const expected = values.map((v) => canonicalize(v));
      const proto = Object.prototype as Record<string, unknown>;
      proto.zz = 'inherited';
      try {
        expect(values.map((v) => canonicalJson(v))).toEqual(expected);
      } finally {
        delete proto.zz;
      }
    });

    it('refuses what canonicalize refuses, and survives throwing getters the same way', () => {
      expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
      expect(() => canonicalJson({ a: [1n] })).toThrow(TypeError);
      const hostile = Object.defineProperty({}, 'x', {
        enumerable: true,
        get() {
          throw new Error('no');
        },
      });
      expect(() => canonicalJson(hostile)).toThrow('no');
      expect(canonicalJson(undefined)).toBe('null');
    });
  });
});
