/**
 * The store contract's id lookup (`storedIds`, or core's fallback through `query` for a store
 * without it), which ingest asks before it seals: exactly the stored ids, whatever their tenant.
 */
import { storedIds } from '@auditkit/core';
import { contractEvents, HOSTILE_STRINGS } from './events';
import { type OpenContractStore, withEvents } from './suites';

export function describeStoredIds(name: string, open: OpenContractStore): void {
  const events = contractEvents(300, 43);
  describe(`${name}: which ids are stored`, () => {
    const ctx = withEvents(open, events);

    it('finds every stored id of every tenant and none of the others, past one query term of ids', async () => {
      const stored = events.filter((_, i) => i % 2 === 0).map((e) => e.id);
      const fresh = Array.from({ length: 150 }, (_, i) => `${stored[i % stored.length]}-not-stored-${i}`);
      const asked = [...stored, ...fresh].sort();
      const found = await storedIds(ctx.store, asked);
      expect([...found].sort()).toEqual([...stored].sort());
      expect(new Set(events.filter((e) => found.has(e.id)).map((e) => e.tenant)).size).toBeGreaterThan(1);
    });

    it('answers an empty set for no ids, and treats hostile ids as literal values', async () => {
      expect(await storedIds(ctx.store, [])).toEqual(new Set());
      const hostile = [...HOSTILE_STRINGS, '{"$ne": null}', "' OR 1=1 --", '%', '*'];
      expect(await storedIds(ctx.store, [...hostile, events[0]!.id])).toEqual(new Set([events[0]!.id]));
    });
  });
}
