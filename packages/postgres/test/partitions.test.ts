import { type AuditEvent, ChainVerifier, createBatch } from '@auditkit/core';
import { postgresStore } from '@auditkit/postgres';
import { logInto, testDatabase } from './helpers';

const db = testDatabase();
afterAll(() => db.drop());

const rel = (name: string) => `"${db.schema}"."${name}"`;
/** Events per partition, by partition name. */
async function perPartition(table: string): Promise<Record<string, number>> {
  const { rows } = await db.pool.query<{ part: string; n: number }>(
    `SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM ${rel(table)} GROUP BY 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.part.replace(/^.*\./, '').replace(/"/g, ''), r.n]));
}
async function partitionsOf(table: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = '${rel(table)}'::regclass ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}
const month = (d: Date) => d.toISOString().slice(0, 7).replace('-', '_');

describe("postgresStore({ partition: 'monthly' })", () => {
  it('creates the current and next month and a default at migrate, other months on demand', async () => {
    const store = db.store('ahead', 'monthly');
    await store.migrate();
    const now = new Date();
    const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    expect(await partitionsOf('ahead')).toEqual(
      [`ahead_${month(now)}`, `ahead_${month(next)}`, 'ahead_default'].sort(),
    );
    await logInto(store, [
      { type: 'a', time: new Date('2024-12-31T23:59:59.999Z') },
      { type: 'b', time: new Date('2025-01-01T00:00:00.000Z') },
    ]);
    expect(await perPartition('ahead')).toEqual({ ahead_2024_12: 1, ahead_2025_01: 1 });
  });

  it('never duplicates a replayed event: the same event carries the same time, so the same partition', async () => {
    const store = db.store('replays', 'monthly');
    const base = Date.parse('2026-01-20T00:00:00Z');
    await logInto(
      store,
      Array.from({ length: 30 }, (_, i) => ({ type: 'x', time: new Date(base + i * 3 * 86_400_000) })),
    );
    const { events } = await store.query({ limit: 100 });
    const before = await perPartition('replays');
    expect(Object.keys(before).sort()).toEqual([
      'replays_2026_01',
      'replays_2026_02',
      'replays_2026_03',
      'replays_2026_04',
    ]);
    await store.write(createBatch(events));
    // A fresh store (another process) knows no partition yet and still adds nothing.
    await postgresStore({ pool: db.pool, schema: db.schema, table: 'replays', partition: 'monthly' }).write(
      createBatch(events.slice(5, 20)),
    );
    expect(await perPartition('replays')).toEqual(before);
  });

  it('lets concurrent writers create the same new month without failing', async () => {
    await db.store('race', 'monthly').migrate();
    const seeder = db.store('race', 'monthly');
    await logInto(seeder, [{ type: 'seed' }]);
    const [stored] = (await seeder.query()).events;
    const writers = Array.from({ length: 4 }, () => db.store('race', 'monthly'));
    const batches = writers.map((_, w) =>
      createBatch(
        Array.from(
          { length: 5 },
          (_, i): AuditEvent => ({
            ...stored!,
            id: `01b00000-0000-7000-8000-00000000${w}${i}0`.slice(0, 36),
            time: `2031-0${1 + i}-15T00:00:00.000Z`,
            integrity: undefined,
          }),
        ),
      ),
    );
    await Promise.all(writers.map((s, i) => s.write(batches[i]!)));
    const parts = await perPartition('race');
    expect(parts).toMatchObject({ race_2031_01: 4, race_2031_05: 4 });
    expect(parts.race_default).toBeUndefined();
  });

  it('is append-only on every partition: UPDATE, DELETE and TRUNCATE on a partition are refused', async () => {
    const store = db.store('guard', 'monthly');
    await logInto(store, [
      { type: 'a', time: new Date('2026-12-03T00:00:00Z') },
      { type: 'b', time: new Date('2026-11-03T00:00:00Z') },
    ]);
    const t = rel('guard_2026_12');
    await expect(db.pool.query(`UPDATE ${t} SET outcome = 'failure'`)).rejects.toThrow(/append-only: UPDATE/);
    await expect(db.pool.query(`DELETE FROM ${t}`)).rejects.toThrow(/append-only: DELETE/);
    // Statement triggers are not cloned to partitions: each one gets its own TRUNCATE guard.
    for (const part of ['guard_2026_12', 'guard_default', 'guard_2026_11']) {
      await expect(db.pool.query(`TRUNCATE ${rel(part)}`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    }
    expect(await perPartition('guard')).toEqual({ guard_2026_11: 1, guard_2026_12: 1 });
  });

  it('stores a month whose partition cannot be created in the default partition, never failing the insert', async () => {
    const store = db.store('fallback', 'monthly');
    await store.migrate();
    // Events of 2032-05 already in the default partition: PostgreSQL refuses a 2032-05 partition.
    await logInto(store, [{ type: 'seed' }]);
    const [seed] = (await store.query()).events;
    await db.pool.query(
      `INSERT INTO ${rel('fallback_default')} (id, time, type, category, action, outcome, severity, event)
       VALUES ('legacy', '2032-05-02Z', 'legacy', 'system', 'create', 'success', 'info', '{}')`,
    );
    await store.write(
      createBatch([{ ...seed!, id: 'later', time: '2032-05-09T00:00:00.000Z', integrity: undefined }]),
    );
    expect(await perPartition('fallback')).toMatchObject({ fallback_default: 2 });
    expect((await store.get('later'))!.time).toBe('2032-05-09T00:00:00.000Z');
  });

  it('refuses a fork only when it reuses the time too; verify finds one with another time', async () => {
    const store = db.store('fork', 'monthly');
    await logInto(store, [{ type: 'a', time: new Date('2026-03-01T00:00:00Z') }]);
    const [stored] = (await store.query()).events;
    const forged: AuditEvent = { ...stored!, id: 'forged-1', type: 'forged' };
    await expect(store.write(createBatch([forged]))).rejects.toThrow(/duplicate key/);
    // Same (chain, seq), another time: another partition, so the database cannot see it.
    await store.write(createBatch([{ ...forged, time: '2026-04-01T00:00:00.000Z' }]));
    const verifier = new ChainVerifier();
    for (const e of [...(await store.query()).events].reverse()) verifier.addEvent(e);
    expect(verifier.finish().ok).toBe(false);
  });

  it('drops whole months before every cut-off when the policy has a default, deletes rows otherwise', async () => {
    // The stored policy allows more than each call asks: the calls decide what goes.
    const store = db.store('drops', 'monthly', { retention: { categories: { api: 1 }, default: 1 } });
    const now = new Date('2026-06-15T00:00:00Z');
    await logInto(store, [
      { type: 'old', category: 'api', time: new Date('2025-01-10T00:00:00Z') },
      { type: 'old', category: 'custom', time: new Date('2025-02-10T00:00:00Z') },
      { type: 'mid', category: 'api', time: new Date('2026-03-10T00:00:00Z') },
      { type: 'new', category: 'api', time: new Date('2026-06-10T00:00:00Z') },
    ]);
    // No default: a category the policy does not name is kept, so no month may go whole.
    expect(await store.applyRetention({ now, categories: { api: 200 } })).toEqual({ deleted: 1 });
    expect(await partitionsOf('drops')).toEqual(expect.arrayContaining(['drops_2025_01', 'drops_2025_02']));
    expect(await store.applyRetention({ now, categories: { api: 60 }, default: 365 })).toEqual({
      deleted: 2,
    });
    const left = await partitionsOf('drops');
    expect(left).not.toContain('drops_2025_02');
    expect(left).toEqual(expect.arrayContaining(['drops_2026_03', 'drops_2026_06', 'drops_default']));
    expect((await store.query()).events.map((e) => e.type)).toEqual(['new']);
    // A late event of a dropped month still lands.
    const [kept] = (await store.query()).events;
    await store.write(
      createBatch([{ ...kept!, id: 'late', time: '2025-02-11T00:00:00.000Z', integrity: undefined }]),
    );
    expect(await store.get('late')).toBeDefined();
  });

  it('never converts an existing table: a layout mismatch is a clear error', async () => {
    await db.store('plain').migrate();
    await expect(db.store('plain', 'monthly').migrate()).rejects.toThrow(/exists and is not partitioned/);
    await db.store('parted', 'monthly').migrate();
    await expect(db.store('parted').migrate()).rejects.toThrow(/is partitioned; pass partition: 'monthly'/);
    expect(() => db.store('x', 'weekly' as 'monthly')).toThrow(/must be 'none' or 'monthly'/);
  });
});
