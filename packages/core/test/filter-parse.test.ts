/** The filter language: terms, lists, wildcards, negation, quotes, time bounds, free text, and its errors. */
import { AuditFilterError, parseAuditFilter } from '../src';

const now = new Date('2026-11-20T12:00:00.000Z');
const parse = (text: string) => parseAuditFilter(text, { now });

describe('parseAuditFilter', () => {
  it('reads field:value terms, lists, aliases, wildcards, negation and quotes', () => {
    expect(
      parse('actor:u-alice -outcome:success type:auth.*,user.created resource.id:"inv 7, draft" actorId:x'),
    ).toEqual({
      terms: [
        { field: 'actor', values: ['u-alice'] },
        { field: 'outcome', values: ['success'], negate: true },
        { field: 'type', values: [{ wildcard: 'auth.*' }, 'user.created'] },
        { field: 'resource.id', values: ['inv 7, draft'] },
        { field: 'actor', values: ['x'] },
      ],
    });
    expect(parse('actor:"a*b" correlation:"say \\"hi\\"" chain:*').terms).toEqual([
      { field: 'actor', values: ['a*b'] },
      { field: 'correlation', values: ['say "hi"'] },
      { field: 'chain', values: [{ wildcard: '*' }] },
    ]);
    expect(
      parse('Request.Id:r1 traceId:t1 actor.type:service tenant:acme').terms.map((t) => t.field),
    ).toEqual(['request', 'trace', 'actor.type', 'tenant']);
  });

  it('turns presets and ISO times into bounds, keeping the narrowest', () => {
    expect(parse('since:24h until:15m')).toEqual({
      terms: [],
      since: '2026-11-19T12:00:00.000Z',
      until: '2026-11-20T11:45:00.000Z',
    });
    expect(parse('since:7d since:2026-11-18 until:2026-11-19T10:30')).toEqual({
      terms: [],
      since: '2026-11-18T00:00:00.000Z',
      until: '2026-11-19T10:30:00.000Z',
    });
    expect(parse('since:2026-11-18T10:00:00+02:00').since).toBe('2026-11-18T08:00:00.000Z');
  });

  it('keeps bare words and quoted phrases as free text', () => {
    expect(parse('refund "approved by" type:x')).toEqual({
      terms: [{ field: 'type', values: ['x'] }],
      text: ['refund', 'approved by'],
    });
    expect(parse('   ')).toEqual({ terms: [] });
  });

  it.each([
    ['actr:bob', /unknown field "actr" in "actr:bob" at position 0/],
    ['type:x  outcome:', /outcome: needs a value in "outcome:" at position 8/],
    ['type:a,', /type: needs a value/],
    ['actor:"bob', /unterminated quote in "actor:"bob" at position 0/],
    ['-refund', /negation needs a field/],
    ['-since:1h', /since: cannot be negated/],
    ['since:yesterday', /since: "yesterday" is not a time/],
    [
      'type:x outcome:failed',
      /outcome: "failed" is not one of success, failure, unknown in "outcome:failed" at position 7/,
    ],
    ['-severity:warn,error', /severity: "warn" is not one of debug, info, notice, warning, error, critical/],
    ['since:1h,2h', /since: takes one time/],
    ['until:2026-13-45', /is not a time/],
    ['actor:a"b"', /expected a space or a comma/],
    ['actor:"a\0b"', /NUL/],
    [`type:${'x'.repeat(600)}`, /longer than 512/],
    [Array.from({ length: 65 }, (_, i) => `t${i}`).join(' '), /more than 64 terms/],
  ])('refuses %j naming the term and its position', (text, message) => {
    expect(() => parse(text)).toThrow(message);
    expect(() => parse(text)).toThrow(AuditFilterError);
  });

  it('reports the position and the term on the error', () => {
    try {
      parse('type:a  bogus:1');
      throw new Error('parsed');
    } catch (error) {
      expect(error).toMatchObject({ name: 'AuditFilterError', position: 8, term: 'bogus:1' });
    }
  });
});
