import { canonicalize } from '@auditkit/core';
import reference from 'canonicalize';
import fc from 'fast-check';

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
});
