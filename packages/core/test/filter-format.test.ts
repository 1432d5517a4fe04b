/** formatAuditFilter: any validated filter, written as text, parses back to itself. */
import fc from 'fast-check';
import {
  type AuditFilter,
  FILTER_FIELDS,
  formatAuditFilter,
  parseAuditFilter,
  validateAuditFilter,
} from '../src';

// Characters that stress the grammar: quotes, commas, stars, backslashes, spaces, colons, dashes.
const text = fc.string({
  unit: fc.constantFrom(
    'a',
    'Z',
    '7',
    ' ',
    '\t',
    ',',
    '"',
    '*',
    '\\',
    ':',
    '-',
    '.',
    '%',
    '_',
    'é',
    '\u00a0',
  ),
  maxLength: 12,
});

const filterArb: fc.Arbitrary<unknown> = fc.record(
  {
    terms: fc.array(
      fc.record(
        {
          field: fc.constantFrom(...FILTER_FIELDS),
          values: fc.array(
            fc.oneof(
              text,
              text.map((t) => ({ wildcard: `${t}*` })),
            ),
            { minLength: 1, maxLength: 3 },
          ),
          negate: fc.boolean(),
        },
        { requiredKeys: ['field', 'values'] },
      ),
      { maxLength: 4 },
    ),
    since: fc
      .date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true })
      .map((d) => d.toISOString()),
    until: fc
      .date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true })
      .map((d) => d.toISOString()),
    text: fc.array(
      text.filter((t) => t.trim() !== ''),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: ['terms'] },
);

describe('formatAuditFilter', () => {
  it('round-trips through parseAuditFilter', () => {
    fc.assert(
      fc.property(filterArb, (raw) => {
        let filter: AuditFilter;
        try {
          filter = validateAuditFilter(raw);
        } catch {
          return; // a wildcard holding a literal `*`, or an outcome or severity no event has
        }
        const parsed = parseAuditFilter(formatAuditFilter(filter));
        expect(parsed).toEqual(filter);
      }),
      { numRuns: 2000 },
    );
  });

  it('writes the examples people type', () => {
    expect(
      formatAuditFilter(
        parseAuditFilter(
          'actor:u-alice -outcome:success type:auth.*,x resource.id:"inv 7" since:2026-11-01 refund',
        ),
      ),
    ).toBe(
      'actor:u-alice -outcome:success type:auth.*,x resource.id:"inv 7" since:2026-11-01T00:00:00.000Z refund',
    );
    expect(parseAuditFilter('actor:CORP\\alice actor:a\\,b\\ c\\*').terms.map((t) => t.values[0])).toEqual([
      'CORP\\alice',
      'a,b c*',
    ]);
    expect(() => parseAuditFilter('type:a*\\*')).toThrow(/cannot also hold a literal \*/);
  });
});
