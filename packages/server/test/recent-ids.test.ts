/** The bounded id memory behind ingest idempotency and the stream's follow-up de-duplication. */
import { RecentIds } from '../src/recent-ids';

describe('RecentIds', () => {
  it('forgets the oldest id once more than max are held, and only that one', () => {
    const ids = new RecentIds(3);
    for (const id of ['a', 'b', 'c']) ids.add(id);
    ids.add('d');
    expect(['a', 'b', 'c', 'd'].map((id) => ids.has(id))).toEqual([false, true, true, true]);
    ids.add('e');
    expect(['b', 'c', 'd', 'e'].map((id) => ids.has(id))).toEqual([false, true, true, true]);
  });

  it('does not count an id added again as new', () => {
    const ids = new RecentIds(2);
    ids.add('a');
    ids.add('b');
    ids.add('a');
    ids.add('b');
    expect(ids.has('a') && ids.has('b')).toBe(true);
    ids.add('c');
    expect([ids.has('a'), ids.has('b'), ids.has('c')]).toEqual([false, true, true]);
  });

  it('holds exactly the last max ids after many rounds through the ring', () => {
    const ids = new RecentIds(1000);
    for (let i = 0; i < 25_000; i++) ids.add(`id-${i}`);
    expect(ids.has('id-23999')).toBe(false);
    expect(ids.has('id-24000')).toBe(true);
    expect(ids.has('id-24999')).toBe(true);
  });
});
