import { postgresStore } from '@auditkit/postgres';
import type { Pool } from 'pg';
import { logInto, testDatabase, testRoles } from './helpers';

/**
 * The role that ran `migrate: true` owns the table. It can drop the triggers (nothing in the
 * database stops an owner, so the application must not be one, and health() says so), but the
 * retention path itself only ever deletes what the stored policy no longer keeps.
 */
const db = testDatabase();
const roles = testRoles('migrator');
const [migrator] = roles.names as [string];
let pool: Pool;
const t = () => `"${db.schema}".audit_events`;
const types = async () =>
  (await db.pool.query<{ type: string }>(`SELECT type FROM ${t()} ORDER BY time`)).rows.map((r) => r.type);

beforeAll(async () => {
  await db.pool.query(`CREATE ROLE "${migrator}" LOGIN`);
  await db.pool.query(`GRANT CREATE ON DATABASE "${process.env.PGDATABASE ?? 'test'}" TO "${migrator}"`);
  pool = roles.as(migrator);
});
afterAll(async () => {
  await db.drop();
  await roles.drop();
});

async function asOwner(statements: string[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    for (const sql of statements) await client.query(sql);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

describe('retention for the table owner', () => {
  it('deletes only what the stored policy no longer keeps, whatever the owner asks', async () => {
    const store = postgresStore({
      pool,
      schema: db.schema,
      retention: { default: 30, categories: { security: 3650 } },
    });
    await logInto(store, [
      { type: 'expired', category: 'api', time: new Date('2020-01-01T00:00:00Z') },
      { type: 'kept-by-category', category: 'security', time: new Date(Date.now() - 400 * 86_400_000) },
      { type: 'recent', category: 'api' },
    ]);
    expect((await store.health()).reasons.join('\n')).toMatch(new RegExp(`"${migrator}", which owns`));
    const on = `SET LOCAL auditkit.retention = 'on'`;
    await expect(asOwner([on, `DELETE FROM ${t()}`])).rejects.toThrow(/append-only: DELETE refused/);
    await expect(asOwner([on, `DELETE FROM ${t()} WHERE type = 'recent'`])).rejects.toThrow(/append-only/);
    await expect(asOwner([`UPDATE ${t()} SET type = 'x'`])).rejects.toThrow(/append-only: UPDATE refused/);
    expect(await types()).toEqual(['expired', 'kept-by-category', 'recent']);
    const retention = `"${db.schema}".audit_events_apply_retention`;
    const { rows } = await pool.query(`SELECT ${retention}(NULL, NULL, 'infinity') AS n`);
    expect(rows[0].n).toBe('1');
    expect(await types()).toEqual(['kept-by-category', 'recent']);
    expect(await store.applyRetention({ default: 0, categories: { security: 0 } })).toEqual({ deleted: 0 });
    expect(await types()).toEqual(['kept-by-category', 'recent']);
  });

  it('deletes nothing while no policy is stored', async () => {
    const store = postgresStore({ pool, schema: db.schema, table: 'unset' });
    await logInto(store, [{ type: 'old', category: 'api', time: new Date('2020-01-01T00:00:00Z') }]);
    expect(await store.applyRetention({ default: 0 })).toEqual({ deleted: 0 });
    expect((await store.query()).events).toHaveLength(1);
  });

  it('rejects a bad stored policy when the store is created', () => {
    expect(() => postgresStore({ pool, retention: { default: -1 } })).toThrow(
      /period must be a number of days/,
    );
    expect(() => postgresStore({ pool, retention: { categories: { api: Number.NaN } } })).toThrow(RangeError);
  });
});
