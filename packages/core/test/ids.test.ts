import { newEventId } from '@auditkit/core';
import { memoryLogger } from '@auditkit/test-utils';

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

  it("name the same millisecond as the event's time when the event is stamped now", async () => {
    const { logger, sink } = memoryLogger();
    // A clock that moves on by a millisecond at every reading: an id read from a clock of its own
    // would name a later millisecond than the time.
    // Ahead of every id made so far, which ids never go back behind.
    let ms = Date.now() + 60_000;
    const now = jest.spyOn(Date, 'now').mockImplementation(() => ms++);
    try {
      for (let i = 0; i < 5; i++) logger.log({ type: 'order.viewed' });
    } finally {
      now.mockRestore();
    }
    await logger.close();
    const ordered = sink.events.filter((e) => e.type === 'order.viewed');
    expect(ordered).toHaveLength(5);
    for (const e of ordered) expect(timestampOf(e.id)).toBe(Date.parse(e.time));
    // A time given by the caller is not now: the id still says when the event was recorded.
    const given = memoryLogger();
    given.logger.log({ type: 'order.viewed', time: '2020-01-01T00:00:00.000Z' });
    await given.logger.close();
    expect(timestampOf(given.sink.events[0]!.id)).toBeGreaterThan(Date.parse('2025-01-01T00:00:00.000Z'));
  });
});
