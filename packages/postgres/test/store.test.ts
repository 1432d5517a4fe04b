import { type AuditEvent, ChainVerifier, canonicalize, createAuditLogger, createBatch } from '@auditkit/core';
import { postgresStore } from '@auditkit/postgres';
import { logInto, testDatabase } from './helpers';

const db = testDatabase();
afterAll(() => db.drop());

// Every behaviour holds for both layouts; each layout has tables of its own.
describe.each(['none', 'monthly'] as const)('postgresStore, partition: %s', (layout) => {
  const open = (name: string, options?: Parameters<typeof db.store>[2]) =>
    db.store(`${name}_${layout}`, layout, options);
  const table = (name: string) => `"${db.schema}"."${name}_${layout}"`;
  /** Every queryable column, for comparing whole rows. */
  const QUERYABLE = `id, time, tenant, type, category, action, outcome, severity, actor_id, resource_type,
    resource_id, correlation_id, chain, seq`;
  it('writes batches idempotently: a replayed batch adds nothing', async () => {
    const store = open('replay');
    const { ids } = await logInto(
      store,
      Array.from({ length: 50 }, (_, i) => ({ type: 'invoice.paid', details: { i } })),
    );
    const page = await store.query({ limit: 1000 });
    expect(page.events).toHaveLength(50);
    await store.write(createBatch(page.events));
    await store.write(createBatch(page.events.slice(10, 30)));
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM ${table('replay')}`);
    expect(rows[0].n).toBe(50);
    expect((await store.get(ids[7]!))!.details).toEqual({ i: 7 });
  });

  it('stores awkward text exactly and the chain read back from the table verifies', async () => {
    const store = open('awkward');
    const texts = [
      'line\nbreak',
      'tab\tand "quotes" \\ back',
      'emoji 🧾 and \u2028 separator',
      'nul \u0000 here',
    ];
    const { ids } = await logInto(
      store,
      texts.map((text) => ({ type: 'note.added', message: text, details: { [`key ${text}`]: text } })),
    );
    const page = await store.query({ limit: 10 });
    expect(page.events).toHaveLength(4);
    expect((await store.get(ids[0]!))!.message).toBe('line\nbreak');
    expect((await store.get(ids[3]!))!.message).toBe('nul \uFFFD here');
    const verifier = new ChainVerifier();
    for (const e of [...page.events].reverse()) verifier.addEvent(e);
    expect(verifier.finish()).toMatchObject({ ok: true, events: 4 });
  });

  it('fills every column the same on the COPY path and on the replay path, awkward values included', async () => {
    const fresh = open('columns_copy');
    const replayed = open('columns_replay');
    const { ids } = await logInto(fresh, [
      { type: 'a', actor: { type: 'user', id: 'tab\there\nnewline \\ back\r' }, tenant: 'Ünïcode 🧾' },
      { type: 'b', resource: { type: 'file', id: 'C:\\dir\\x' }, correlationId: '\\N' },
      { type: 'c' }, // no tenant, actor id, resource or correlation id: NULLs
    ]);
    const events = [...(await fresh.query()).events].reverse();
    // A resource id that is not a string reads as its JSON text, as `->>` reads it.
    const numeric = {
      ...events[2]!,
      id: '01a20000-0000-7000-8000-000000000042',
      resource: { type: 't', id: 42 },
      integrity: undefined,
    };
    await fresh.write(createBatch([numeric as unknown as AuditEvent], [canonicalize(numeric)]));
    // The second table already holds one event of the batch, so its COPY is refused and the INSERT writes it.
    // Handed on with their sealed lines, as a transport does.
    const handedOn = [...events, numeric as unknown as AuditEvent];
    await replayed.write(createBatch([events[1]!], [canonicalize(events[1])]));
    await replayed.write(
      createBatch(
        handedOn,
        handedOn.map((e) => canonicalize(e)),
      ),
    );
    const read = async (name: string) =>
      (await db.pool.query(`SELECT ${QUERYABLE}, event FROM ${table(name)} ORDER BY id`)).rows;
    const rows = await read('columns_copy');
    expect(rows).toHaveLength(4);
    expect(await read('columns_replay')).toEqual(rows);
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(ids[0])).toMatchObject({
      actor_id: 'tab\there\nnewline \\ back\r',
      tenant: 'Ünïcode 🧾',
      chain: events[0]!.integrity!.chain,
      seq: '0',
    });
    expect(byId.get(ids[1])).toMatchObject({ resource_id: 'C:\\dir\\x', correlation_id: '\\N' });
    expect(byId.get(ids[2])).toMatchObject({
      tenant: null,
      actor_id: null,
      resource_id: null,
      correlation_id: null,
    });
    expect(byId.get(numeric.id)).toMatchObject({
      resource_type: 't',
      resource_id: '42',
      chain: null,
      seq: null,
    });
    expect(byId.get(ids[0]).event).toEqual(events[0]);
    // Both paths keep each event's line byte for byte: for the pipeline's events, the sealed
    // canonical JSON that was hashed.
    const lines = async (name: string) =>
      (await db.pool.query(`SELECT id, event::text AS line FROM ${table(name)} ORDER BY id`)).rows;
    const copied = await lines('columns_copy');
    expect(await lines('columns_replay')).toEqual(copied);
    expect(copied.find((r) => r.id === ids[0]).line).toBe(canonicalize(events[0]));
    expect(await fresh.query({ actorId: 'tab\there\nnewline \\ back\r' })).toMatchObject({
      events: [{ id: ids[0] }],
    });
  });

  it('writes into a table an earlier version created (event jsonb, default collation)', async () => {
    const store = open('earlier');
    await store.migrate();
    const t = table('earlier');
    await db.pool.query(`ALTER TABLE ${t} ALTER COLUMN event TYPE jsonb USING event::jsonb,
      ALTER COLUMN id TYPE text COLLATE "default", ALTER COLUMN actor_id TYPE text COLLATE "default"`);
    const { ids } = await logInto(
      store,
      Array.from({ length: 5 }, (_, i) => ({ type: 'x', actor: { type: 'user', id: `u-${i}` } })),
    );
    const events = (await store.query()).events;
    await store.write(createBatch(events)); // a replay: the INSERT path
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM ${t}`);
    expect(rows[0].n).toBe(5);
    expect(await store.get(ids[3]!)).toMatchObject({ actor: { id: 'u-3' } });
    expect((await store.query({ actorId: 'u-1' })).events.map((e) => e.id)).toEqual([ids[1]]);
  });

  it('matches text case-insensitively beyond ASCII', async () => {
    const store = open('folding');
    const { ids } = await logInto(store, [
      { type: 'user.renamed', actor: { type: 'user', id: 'ÉLODIE' } },
      { type: 'user.renamed', actor: { type: 'user', id: 'bob' } },
    ]);
    expect((await store.query({ text: 'élodie' })).events.map((e) => e.id)).toEqual([ids[0]]);
  });

  it('is append-only in the database itself: UPDATE, DELETE and TRUNCATE are refused', async () => {
    const store = open('guarded');
    const { ids } = await logInto(store, [{ type: 'user.created' }]);
    const t = table('guarded');
    await expect(db.pool.query(`UPDATE ${t} SET outcome = 'failure'`)).rejects.toThrow(
      /append-only: UPDATE refused/,
    );
    await expect(db.pool.query(`DELETE FROM ${t}`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(db.pool.query(`TRUNCATE ${t}`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    expect(await store.get(ids[0]!)).toMatchObject({ type: 'user.created', outcome: 'success' });
  });

  const parallelStore = (name: string) => open(name, { name, parallel: 4 });
  const rowsOf = async (name: string) =>
    (await db.pool.query(`SELECT ${QUERYABLE}, event::text AS line FROM ${table(name)} ORDER BY seq`)).rows;

  it('splits a batch over parallel COPYs into the rows one COPY writes; a replay adds nothing', async () => {
    const one = open('parallel_one');
    const four = parallelStore('parallel_four');
    // Both sinks get the same sealed batch: 999 events, the chain's first included.
    const logger = createAuditLogger({ service: 'billing', flushOnExit: false, sinks: [one, four] });
    for (let i = 0; i < 999; i++)
      logger.log({
        type: 'invoice.paid',
        tenant: `t-${i % 3}`,
        actor: { type: 'user', id: `u-${i}` },
        details: { i },
      });
    await logger.close();
    const written = await rowsOf('parallel_four');
    expect(written).toHaveLength(999);
    expect(written).toEqual(await rowsOf('parallel_one'));
    const lines = written.map((r) => r.line as string);
    await four.write(
      createBatch(
        lines.map((l) => JSON.parse(l) as AuditEvent),
        lines,
      ),
    );
    expect(await rowsOf('parallel_four')).toEqual(written);
  });

  it('keeps the parts a failed parallel write stored, and its retry stores the rest exactly once', async () => {
    await logInto(
      open('parallel_source'),
      Array.from({ length: 400 }, (_, i) => ({ type: 'a', details: { i } })),
    );
    const lines = (await rowsOf('parallel_source')).map((r) => r.line as string);
    const events = lines.map((l) => JSON.parse(l) as AuditEvent);
    const target = parallelStore('parallel_target');
    await target.write(createBatch(events.slice(0, 1), lines.slice(0, 1)));
    // 401 events in four parts of 100, 100, 100 and 101; the third holds an event reusing the
    // first one's (chain, seq), so that part fails and the others are stored.
    const forged = { ...events[0]!, id: '01a20000-0000-7000-8000-0000000000f0', type: 'forged' };
    const batch = [...events.slice(0, 250), forged, ...events.slice(250)];
    const batchLines = [...lines.slice(0, 250), canonicalize(forged), ...lines.slice(250)];
    await expect(target.write(createBatch(batch, batchLines))).rejects.toThrow(/duplicate key/);
    const stored = await rowsOf('parallel_target');
    // The first part (its first event already there), the second, and the fourth: events 0-199 and 299-399.
    expect(stored.map((r) => r.line)).toEqual([...lines.slice(0, 200), ...lines.slice(299)]);
    await target.write(createBatch(events, lines));
    expect((await rowsOf('parallel_target')).map((r) => r.line)).toEqual(lines);
    expect(await rowsOf('parallel_target')).toEqual(await rowsOf('parallel_source'));
  });

  it('refuses a different event that reuses a (chain, seq): a forked or forged chain fails the batch', async () => {
    const store = open('forks');
    await logInto(store, [{ type: 'a' }]);
    const [stored] = (await store.query()).events;
    const forged: AuditEvent = { ...stored!, id: '01a20000-0000-7000-8000-000000000000', type: 'forged' };
    await expect(store.write(createBatch([forged]))).rejects.toThrow(/duplicate key/);
    expect((await store.query()).events.map((e) => e.type)).toEqual(['a']);
  });

  it('answers every filter, newest first, with cursor pages that neither skip nor repeat', async () => {
    const store = open('queries');
    const base = Date.parse('2026-01-01T00:00:00Z');
    await logInto(
      store,
      Array.from({ length: 45 }, (_, i) => ({
        type: i % 3 === 0 ? 'invoice.paid' : 'invoice.viewed',
        category: i % 5 === 0 ? 'security' : 'business',
        outcome: i % 4 === 0 ? ('failure' as const) : ('success' as const),
        tenant: i % 2 ? 'acme' : 'globex',
        actor: { type: 'user' as const, id: `u-${i % 4}` },
        resource: { type: 'invoice', id: `inv-${i}` },
        correlationId: `c-${i % 9}`,
        message: i === 13 ? 'Refund approved by finance' : undefined,
        time: new Date(base + i * 60_000),
      })),
    );
    const all: AuditEvent[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.query({ limit: 7, cursor });
      all.push(...page.events);
      cursor = page.nextCursor;
    } while (cursor);
    expect(all).toHaveLength(45);
    expect(new Set(all.map((e) => e.id)).size).toBe(45);
    expect(all.map((e) => e.time)).toEqual([...all.map((e) => e.time)].sort().reverse());
    const count = async (f: object) => (await store.query({ ...f, limit: 1000 })).events.length;
    expect(await count({ tenant: 'acme' })).toBe(22);
    expect(await count({ types: ['invoice.paid'] })).toBe(15);
    expect(await count({ categories: ['security'] })).toBe(9);
    expect(await count({ outcomes: ['failure'] })).toBe(12);
    expect(await count({ actorId: 'u-1' })).toBe(11);
    expect(await count({ resourceType: 'invoice', resourceId: 'inv-4' })).toBe(1);
    expect(await count({ correlationId: 'c-0' })).toBe(5);
    expect(await count({ from: new Date(base + 10 * 60_000), to: new Date(base + 20 * 60_000) })).toBe(10);
    expect(await count({ text: 'refund' })).toBe(1);
    expect(await count({ severities: ['warning'] })).toBe(12);
    await expect(store.query({ cursor: 'garbage' })).rejects.toThrow(/invalid cursor/);
  });

  it('counts by type, outcome, actor, resource and over time buckets', async () => {
    const store = open('stats');
    const base = Date.parse('2026-02-01T10:00:00Z');
    await logInto(
      store,
      Array.from({ length: 12 }, (_, i) => ({
        type: i < 8 ? 'login' : 'logout',
        outcome: i % 3 === 0 ? ('failure' as const) : ('success' as const),
        actor: { id: i % 2 ? 'ann' : 'bo' },
        resource: { type: 'doc', id: i < 9 ? 'd-1' : 'd-2' },
        time: new Date(base + i * 20 * 60_000),
      })),
    );
    const s = await store.stats({ bucket: 'hour' });
    expect(s).toMatchObject({
      total: 12,
      byType: { login: 8, logout: 4 },
      byOutcome: { failure: 4, success: 8 },
      byActor: { ann: 6, bo: 6 },
      byResource: { 'd-1': 9, 'd-2': 3 },
    });
    expect(s.overTime).toEqual([
      { start: '2026-02-01T10:00:00.000Z', count: 3, byOutcome: { failure: 1, success: 2 } },
      { start: '2026-02-01T11:00:00.000Z', count: 3, byOutcome: { failure: 1, success: 2 } },
      { start: '2026-02-01T12:00:00.000Z', count: 3, byOutcome: { failure: 1, success: 2 } },
      { start: '2026-02-01T13:00:00.000Z', count: 3, byOutcome: { failure: 1, success: 2 } },
    ]);
    expect((await store.stats({ actorId: 'ann' })).total).toBe(6);
  });

  it('applies retention per category through the retention function only', async () => {
    // The stored policy (written at migrate) is wider than the one applied: the applied one decides.
    const store = open('retention', { retention: { categories: { security: 7 * 365, api: 1 }, default: 1 } });
    const now = new Date('2026-06-01T00:00:00Z');
    const days = (d: number) => new Date(now.getTime() - d * 86_400_000);
    await logInto(store, [
      { type: 'security.alert', category: 'security', time: days(400) },
      { type: 'api.call', category: 'api', time: days(100) },
      { type: 'api.call', category: 'api', time: days(10) },
      { type: 'order.placed', category: 'business', time: days(50) },
    ]);
    const result = await store.applyRetention({
      now,
      categories: { security: 7 * 365, api: 90 },
      default: 30,
    });
    expect(result).toEqual({ deleted: 2 });
    expect((await store.query()).events.map((e) => `${e.category}`).sort()).toEqual(['api', 'security']);
  });

  it('knows the last sealed event of each chain, for a restarted writer', async () => {
    const store = open('heads');
    await logInto(store, [{ type: 'a' }, { type: 'b' }, { type: 'c' }]);
    const heads = await store.chainHeads();
    expect(heads).toHaveLength(1);
    const newest = (await store.query()).events[0]!;
    expect(heads[0]).toMatchObject({
      chain: newest.integrity!.chain,
      seq: 2,
      hash: newest.integrity!.hash,
      eventId: newest.id,
    });
    expect((await store.lastSealed!())!.id).toBe(newest.id);
  });

  it('rejects bad options with a clear error', () => {
    expect(() => open('bad-name; drop table x')).toThrow(/invalid SQL identifier/);
    for (const parallel of [0, 1.5, -1, Number.NaN])
      expect(() => postgresStore({ pool: db.pool, parallel })).toThrow(/`parallel` must be an integer >= 1/);
  });
});
