/**
 * The store contract's text pages (`queryLines`, or core's fallback for a store without it): the
 * same events, order, cursors and tenant wall as `query`, each line byte for byte what
 * `JSON.stringify` makes of the parsed event.
 */
import { type AuditQuery, queryLines } from '@auditkit/core';
import { contractEvents, HOSTILE_STRINGS, sorted } from './events';
import { type OpenContractStore, withEvents } from './suites';

/** A filter value as the language needs it: quoted, with quotes and backslashes escaped. */
const quoted = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export function describeStoredLines(name: string, open: OpenContractStore): void {
  const events = contractEvents(500, 31);
  describe(`${name}: pages as stored JSON text`, () => {
    const ctx = withEvents(open, events);

    /** Every page of `query` both ways, compared page by page; returns the events seen. */
    const compareAllPages = async (query: AuditQuery) => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const q = { ...query, ...(cursor ? { cursor } : {}) };
        const [page, text] = await Promise.all([ctx.store.query(q), queryLines(ctx.store, q)]);
        expect(text.lines).toEqual(page.events.map((e) => JSON.stringify(e)));
        expect(text.nextCursor).toBe(page.nextCursor);
        seen.push(...text.lines);
        cursor = text.nextCursor;
      } while (cursor);
      return seen.map((line) => JSON.parse(line) as { id: string; tenant?: string });
    };

    it.each(['desc', 'asc'] as const)('pages %s through every event as query does', async (order) => {
      const seen = await compareAllPages({ order, limit: 70 });
      expect(seen.map((e) => e.id)).toEqual(sorted(events, order).map((e) => e.id));
    });

    it('keeps the tenant wall: a tenant term only narrows it', async () => {
      for (const filter of ['', 'tenant:globex', 'tenant:acme,globex', '-tenant:acme', 'tenant:*']) {
        const seen = await compareAllPages({ tenant: 'acme', filter, limit: 40 });
        expect(seen.every((e) => e.tenant === 'acme')).toBe(true);
      }
    });

    it('treats injection in a filter as a literal value', async () => {
      for (const value of [...HOSTILE_STRINGS, '{"$ne": null}', "' OR 1=1 --"]) {
        for (const field of ['actor', 'resource.id', 'type', 'correlation']) {
          const seen = await compareAllPages({
            tenant: 'acme',
            filter: `${field}:${quoted(value)}`,
            limit: 25,
          });
          expect(seen.every((e) => e.tenant === 'acme')).toBe(true);
        }
      }
    });

    it('refuses a cursor made for another tenant, as query does', async () => {
      const { nextCursor } = await queryLines(ctx.store, { tenant: 'globex', limit: 5 });
      expect(nextCursor).toBeDefined();
      await expect(queryLines(ctx.store, { tenant: 'acme', limit: 5, cursor: nextCursor })).rejects.toThrow(
        /another filter or tenant/,
      );
    });
  });
}
