/** Values for property tests of canonical JSON: where a writer that sorts keys can go wrong. */
import fc from 'fast-check';

/**
 * Keys that sort differently from insertion order, integer-like keys V8 lists first, a `__proto__`
 * own key, and any UTF-16 (lone surrogates included).
 */
export const awkwardKey = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('10', '2', '0', '01', '4294967295', 'z', 'A', 'é', '€', '\u0080', '__proto__', 'toJSON'),
);

/** Arrays and objects (keyed by `awkwardKey`) nested a few levels, with `leaves` at the bottom. */
export const valuesOf = (leaves: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, leaves, tie('array'), tie('object')),
    array: fc.array(tie('node'), { maxLength: 4 }),
    object: fc.dictionary(awkwardKey, tie('node'), { maxKeys: 6 }),
  })).node;

/**
 * Leaves: any JSON value, binary strings, any finite double, and numbers at the edges of their
 * shortest form (-0, 1e21, beyond 2^53, the largest double) and `undefined`, plus `specials`.
 */
export const leavesWith = (...specials: unknown[]): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.jsonValue(),
    fc.string({ unit: 'binary' }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(-0, 1e21, Number.MAX_SAFE_INTEGER + 2, Number.MAX_VALUE, undefined, ...specials),
  );
