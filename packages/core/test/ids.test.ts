import { newEventId } from '@auditkit/core';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function timestampOf(id: string): number {
  return Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

describe('event ids', () => {
  it('are RFC 9562 version 7 UUIDs carrying the creation time in milliseconds', () => {
    const before = Date.now();
    const id = newEventId();
    const after = Date.now();
    expect(id).toMatch(UUID_V7);
    expect(timestampOf(id)).toBeGreaterThanOrEqual(before);
    expect(timestampOf(id)).toBeLessThanOrEqual(after);
  });

  it('sort in creation order and never repeat, also within one millisecond', () => {
    const ids = Array.from({ length: 50_000 }, () => newEventId());
    expect(new Set(ids).size).toBe(ids.length);
    const sorted = [...ids].sort();
    expect(sorted).toEqual(ids);
    for (const id of ids) expect(id).toMatch(UUID_V7);
  });

  it('keep random bits: ids made in the same millisecond by two processes differ', () => {
    // The tail after the counter is random per id, so two ids never share it by chance.
    const tails = new Set(Array.from({ length: 10_000 }, () => newEventId().slice(-11)));
    expect(tails.size).toBeGreaterThan(9_990);
  });
});
