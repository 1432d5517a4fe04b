import { postgresStore, setupRoles } from '@auditkit/postgres';
import { logInto, testDatabase, testRoles } from './helpers';

/**
 * `setupRoles`: the owner role owns the trail, the application role inserts and reads through the
 * store, and running it again changes nothing.
 */
const db = testDatabase();
const roles = testRoles('owner', 'app', 'legacy');
const [owner, app, legacy] = roles.names as [string, string, string];
afterAll(async () => {
  await db.drop();
  await roles.drop();
});

const ownerOf = async (relation: string) =>
  (
    await db.pool.query<{ owner: string }>(
      `SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = $1::regclass`,
      [relation],
    )
  ).rows[0]!.owner;

describe('setupRoles', () => {
  it('creates both roles, migrates as the owner, and the application writes, reads and keeps its retention', async () => {
    const options = { pool: db.pool, owner, app, schema: db.schema, partition: 'monthly' as const };
    const first = await setupRoles({ ...options, retention: { default: 30 } });
    expect(first.actions.join('\n')).toMatch(new RegExp(`created role "${owner}" \\(NOLOGIN`));
    expect(first.actions.join('\n')).toMatch(new RegExp(`created role "${app}" \\(LOGIN`));
    expect(first.risks).toEqual([]);
    expect(await ownerOf(`"${db.schema}".audit_events`)).toBe(owner);
    const { rows } = await db.pool.query('SELECT rolcanlogin FROM pg_roles WHERE rolname = $1', [owner]);
    expect(rows[0].rolcanlogin).toBe(false);

    const store = postgresStore({
      pool: roles.as(app),
      schema: db.schema,
      partition: 'monthly',
      migrate: false,
    });
    await logInto(store, [
      { type: 'http.request', category: 'api', time: new Date('2021-03-01T00:00:00Z') },
      { type: 'user.created', category: 'admin' },
    ]);
    // A month no partition existed for was created on demand, owned by the owner.
    expect(await ownerOf(`"${db.schema}".audit_events_2021_03`)).toBe(owner);
    expect((await store.query()).events.map((e) => e.type)).toEqual(['user.created', 'http.request']);
    expect(await store.applyRetention({ default: 30 })).toEqual({ deleted: 1 });
    expect((await store.query()).events.map((e) => e.type)).toEqual(['user.created']);
    expect(await store.health()).toEqual({ status: 'ok', reasons: [] });

    const again = await setupRoles(options);
    expect(again.actions.filter((a) => /created|revoked|now |granted/.test(a))).toEqual([]);
    expect(again.risks).toEqual([]);
    // Without `retention` the stored policy stays.
    const policy = await db.pool.query(
      `SELECT category, days::int FROM "${db.schema}".audit_events_retention`,
    );
    expect(policy.rows).toEqual([{ category: null, days: 30 }]);
  });

  it('takes the trail over from an application role that migrated it itself, and hands it to the owner', async () => {
    await db.pool.query(`CREATE ROLE "${legacy}" LOGIN`);
    await db.pool.query(`GRANT CREATE ON DATABASE "${process.env.PGDATABASE ?? 'test'}" TO "${legacy}"`);
    const schema = `${db.schema}_legacy`;
    const pool = roles.as(legacy);
    const store = postgresStore({ pool, schema, table: 'trail' });
    await logInto(store, [{ type: 'a' }, { type: 'b' }]);
    expect((await store.health()).reasons.join('\n')).toMatch(/which owns/);
    try {
      const { actions, risks } = await setupRoles({
        pool: db.pool,
        owner,
        app: legacy,
        schema,
        table: 'trail',
      });
      expect(actions.join('\n')).toMatch(
        new RegExp(`schema "${schema}": owner was "${legacy}", now "${owner}"`),
      );
      expect(actions).toContain(`${schema}.trail: owner was "${legacy}", now "${owner}"`);
      expect(risks).toEqual([]);
      expect(await store.health()).toEqual({ status: 'ok', reasons: [] });
      await expect(pool.query(`DROP TABLE "${schema}".trail`)).rejects.toThrow(/must be owner/);
      await logInto(postgresStore({ pool, schema, table: 'trail', migrate: false }), [{ type: 'c' }]);
      const stored = (await store.query()).events.map((e) => e.type);
      expect(stored).toEqual(['audit.chain.started', 'c', 'b', 'a']);
    } finally {
      await db.pool.query(`DROP SCHEMA "${schema}" CASCADE`);
    }
  });

  it('refuses one role for both jobs and a superuser as the application', async () => {
    await expect(setupRoles({ pool: db.pool, owner, app: owner })).rejects.toThrow(/must be different roles/);
    await expect(setupRoles({ pool: db.pool, owner, app: 'postgres', schema: db.schema })).rejects.toThrow(
      /"postgres" is a superuser/,
    );
    await expect(setupRoles({ pool: db.pool, owner: 'bad name', app })).rejects.toThrow(
      /invalid SQL identifier/,
    );
  });
});
