import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChainVerifier } from '@auditkit/core';
import { postgresStore, setupRoles } from '@auditkit/postgres';
import { logInto, testDatabase, testRoles } from './helpers';

/**
 * A trail an application role created itself with the previous DDL (no stored policy, functions
 * executable by PUBLIC): setupRoles upgrades it in place, and every event stays readable and intact.
 */
const db = testDatabase();
const roles = testRoles('owner', 'app');
const [owner, app] = roles.names as [string, string];
const schema = `${db.schema}_old`;
afterAll(async () => {
  await db.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await db.drop();
  await roles.drop();
});

describe('a trail written before the stored retention policy', () => {
  it('stays readable and intact through setupRoles, and retention then follows the stored policy', async () => {
    await db.pool.query(`CREATE ROLE "${app}" LOGIN`);
    await db.pool.query(`GRANT CREATE ON DATABASE "${process.env.PGDATABASE ?? 'test'}" TO "${app}"`);
    const pool = roles.as(app);
    const ddl = readFileSync(join(__dirname, 'fixtures', 'schema-before-policy.sql'), 'utf8');
    await pool.query(ddl.replaceAll('legacy_schema', schema));
    const store = postgresStore({ pool, schema, table: 'trail', migrate: false });
    await logInto(store, [
      { type: 'http.request', category: 'api', time: new Date('2020-01-01T00:00:00Z') },
      { type: 'user.created', category: 'admin' },
      { type: 'login.failed', category: 'security' },
    ]);
    const before = (await store.query()).events;

    const { risks } = await setupRoles({ pool: db.pool, owner, app, schema, table: 'trail' });
    expect(risks).toEqual([]);
    expect((await store.query()).events).toEqual(before);
    const verifier = new ChainVerifier();
    for (const e of [...before].reverse()) verifier.addEvent(e);
    expect(verifier.finish()).toMatchObject({ ok: true, events: 3 });

    // No policy stored yet: nothing goes, whatever is asked.
    expect(await store.applyRetention({ default: 0 })).toEqual({ deleted: 0 });
    await setupRoles({ pool: db.pool, owner, app, schema, table: 'trail', retention: { default: 30 } });
    expect(await store.applyRetention({ default: 0 })).toEqual({ deleted: 1 });
    expect((await store.query()).events.map((e) => e.type)).toEqual(['login.failed', 'user.created']);
    await expect(pool.query(`DELETE FROM "${schema}".trail`)).rejects.toThrow(/permission denied/);
  });
});
