/**
 * The console attacked through every door, on any store: another tenant's events by id, filter,
 * export, stream, stats and proof; operator and SQL injection in every filter field; tampered
 * cursors and parameter pollution. A tenant key must never see a byte of another tenant, and
 * hostile input must get a 200 or a 400, never a 500.
 */
import { type AuditEvent, type AuditStore, FILTER_FIELDS, verifyInclusionProof } from '@auditkit/core';
import { HOSTILE_STRINGS } from '@auditkit/test-utils';
import { openStream, type RunningConsole, startConsole } from './helpers';

const INJECTIONS = [
  ...HOSTILE_STRINGS,
  '{"$ne": null}',
  '{"$where": "sleep(100)"}',
  "'; DROP TABLE audit_events; --",
  '" OR ""="',
  '*',
  '$regex',
  '\u0000',
];

/** A filter value as the language needs it: quoted, with quotes and backslashes escaped. */
const quoted = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export function describeConsoleAttacks(name: string, store?: (dir: string) => AuditStore): void {
  describe(`attacks on the console (${name})`, () => {
    let c: RunningConsole;
    const globexIds: string[] = [];
    const acmeIds: string[] = [];
    const acmeOnly = (events: AuditEvent[]) => events.every((e) => e.tenant === 'acme');

    beforeAll(async () => {
      c = await startConsole({
        keys: {
          acme: { tenant: 'acme', scopes: ['read', 'export'] },
          all: { tenant: '*', scopes: ['read'] },
        },
        ...(store ? { store } : {}),
      });
      const inputs = [];
      for (let i = 0; i < 40; i++) {
        const hostile = INJECTIONS[i % INJECTIONS.length]!;
        inputs.push({
          type: i % 2 ? 'auth.login' : 'data.read',
          tenant: i % 2 ? 'globex' : 'acme',
          actor: { id: hostile },
          resource: { type: 'doc', id: hostile },
          correlationId: hostile,
          message: `hostile ${hostile}`,
        });
      }
      const ids = await c.seed(inputs);
      for (const [i, id] of ids.entries()) (i % 2 ? globexIds : acmeIds).push(id);
    }, 120_000);
    afterAll(() => c?.close());

    const search = async (q: string, key = c.keys.acme) => {
      const r = await c.api(`/api/events?limit=1000&q=${encodeURIComponent(q)}`, { key });
      expect([200, 400]).toContain(r.status);
      return r.status === 200 ? (r.json.events as AuditEvent[]) : [];
    };

    it('never returns another tenant event by id, around, or proof', async () => {
      for (const id of globexIds.slice(0, 5)) {
        expect((await c.api(`/api/events/${id}`, { key: c.keys.acme })).status).toBe(404);
        expect((await c.api(`/api/events/${id}?around=actor`, { key: c.keys.acme })).status).toBe(404);
        expect((await c.api(`/api/proof/${id}`, { key: c.keys.acme })).status).toBe(404);
      }
      expect((await c.api(`/api/events/${acmeIds[0]}`, { key: c.keys.acme })).status).toBe(200);
    });

    it('serves proofs and integrity over this store for the key tenant', async () => {
      const proof = await c.api(`/api/proof/${acmeIds[0]}`, { key: c.keys.acme });
      expect(proof.status).toBe(200);
      expect(verifyInclusionProof(proof.json, [c.signing.publicKeyPem])).toEqual({ ok: true });
      const integrity = await c.api('/api/integrity', { key: c.keys.acme });
      expect(integrity.json).toMatchObject({ ok: true, signaturesChecked: true });
      expect(integrity.json.chains.length).toBeGreaterThan(0);
    });

    it('keeps tenant filters inside the wall', async () => {
      for (const q of [
        'tenant:globex',
        'tenant:*',
        'tenant:acme,globex',
        '-tenant:acme',
        'tenant:"globex"',
        'tenant:glob*',
        '',
      ]) {
        expect(acmeOnly(await search(q))).toBe(true);
      }
      expect((await search('tenant:acme,globex', c.keys.all)).some((e) => e.tenant === 'globex')).toBe(true);
    });

    it('treats injection in every filter field as a literal value', async () => {
      // One field's values at a time, in parallel: the matrix is hundreds of searches.
      for (const field of FILTER_FIELDS) {
        const results = await Promise.all(INJECTIONS.map((value) => search(`${field}:${quoted(value)}`)));
        results.forEach((events, i) => {
          expect(acmeOnly(events)).toBe(true);
          if (field === 'actor' && events.length > 0)
            expect(events.every((e) => e.actor.id === INJECTIONS[i])).toBe(true);
        });
      }
      const raws = await Promise.all(INJECTIONS.map((raw) => search(raw)));
      for (const events of raws) expect(acmeOnly(events)).toBe(true);
      // The hostile values are stored and found exactly.
      const found = await search(`actor:${quoted("' OR 1=1 --")}`);
      expect(found.length).toBeGreaterThan(0);
    }, 120_000);

    it('writes every search page byte for byte as the parsed page serializes, inside the wall', async () => {
      // console.* events and checkpoints are left out: the searches record them as pages are read.
      const filters = ['', 'tenant:globex', ...INJECTIONS.slice(0, 6).map((v) => `actor:${quoted(v)}`)];
      for (const [key, wall] of [
        [c.keys.acme, 'acme'],
        [c.keys.all, undefined],
      ] as const) {
        for (const order of ['desc', 'asc'] as const) {
          for (const text of filters) {
            const filter = `${text} -type:console.*,audit.*`;
            let cursor: string | undefined;
            do {
              const r = await c.api(
                `/api/events?limit=7&order=${order}&q=${encodeURIComponent(filter)}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
                { key },
              );
              expect(r.status).toBe(200);
              expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
              const page = await c.store.query({
                filter,
                limit: 7,
                order,
                ...(wall ? { tenant: wall } : {}),
                ...(cursor ? { cursor } : {}),
              });
              expect(r.text).toBe(JSON.stringify(page));
              if (wall) expect(acmeOnly(r.json.events)).toBe(true);
              cursor = r.json.nextCursor;
            } while (cursor);
          }
        }
      }
    }, 120_000);

    it('answers 400, never 500, to polluted and malformed parameters', async () => {
      for (const query of [
        'q=a&q=b',
        'q[$ne]=1',
        'limit=abc',
        'limit=-1',
        'order=sideways',
        'cursor=%00',
        'q=%ZZ',
      ]) {
        const r = await c.api(`/api/events?${query}`, { key: c.keys.acme });
        expect(r.status).toBeLessThan(500);
        if (r.status === 200) expect(acmeOnly(r.json.events)).toBe(true);
      }
    });

    it('does not let a cursor from a wider key open another tenant', async () => {
      const wide = await c.api('/api/events?limit=3', { key: c.keys.all });
      expect(wide.json.nextCursor).toBeDefined();
      const r = await c.api(`/api/events?limit=1000&cursor=${encodeURIComponent(wide.json.nextCursor)}`, {
        key: c.keys.acme,
      });
      expect(r.status).toBeLessThan(500);
      if (r.status === 200) expect(acmeOnly(r.json.events)).toBe(true);
    });

    it('exports and counts nothing of another tenant', async () => {
      for (const q of ['tenant:globex', '', `actor:${quoted('{"$ne": null}')}`]) {
        const r = await fetch(`${c.url}/api/export?format=ndjson&q=${encodeURIComponent(q)}`, {
          headers: { authorization: `Bearer ${c.keys.acme}` },
        });
        expect(r.status).toBe(200);
        const lines = (await r.text())
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as AuditEvent);
        expect(acmeOnly(lines)).toBe(true);
      }
      const stats = await c.api('/api/stats?q=', { key: c.keys.acme });
      expect(stats.json.byType['auth.login']).toBeUndefined();
      const statsOther = await c.api(`/api/stats?q=${encodeURIComponent('tenant:globex')}`, {
        key: c.keys.acme,
      });
      expect(statsOther.json.total).toBe(0);
    });

    it('streams nothing of another tenant, whatever the filter', async () => {
      const streams = ['', 'tenant:globex', `actor:${quoted('{"$ne": null}')}`, 'type:*'].map((q) =>
        openStream(c.url, { key: c.keys.acme, q }),
      );
      await Promise.all(streams.map((s) => s.next((m) => m.type === 'subscribed')));
      await c.seed([
        { type: 'auth.login', tenant: 'globex', actor: { id: '{"$ne": null}' } },
        { type: 'zz.marker', tenant: 'acme' },
      ]);
      await streams[0]!.next((m) => m.type === 'event' && m.event.type === 'zz.marker');
      await streams[3]!.next((m) => m.type === 'event' && m.event.type === 'zz.marker');
      for (const s of streams) {
        expect(acmeOnly(s.messages.filter((m) => m.type === 'event').map((m) => m.event))).toBe(true);
        s.ws.close();
      }
    });
  });
}
