import { type PartitionLayout, postgresStore, setupRoles } from '@auditkit/postgres';
import type { Pool } from 'pg';
import { logInto, testDatabase, testRoles } from './helpers';

/**
 * The documented setup (`setupRoles`): connected as the application role, every way to remove or
 * change a stored event fails, and every event is still there byte for byte.
 */
const db = testDatabase();
const roles = testRoles('owner', 'app');
const [owner, app] = roles.names as [string, string];
afterAll(async () => {
  await db.drop();
  await roles.drop();
});

const DAY = 86_400_000;

describe.each(['none', 'monthly'] as const)(
  'the application role, partition: %s',
  (layout: PartitionLayout) => {
    const table = `trail_${layout}`;
    const s = `"${db.schema}"`;
    const t = `${s}."${table}"`;
    const fn = (name: string) => `${s}."${table}_${name}"`;
    let pool: Pool;
    let before: Array<{ id: string; event: string }>;
    const rows = async () =>
      (
        await db.pool.query<{ id: string; event: string }>(
          `SELECT id, event::text AS event FROM ${t} ORDER BY id`,
        )
      ).rows;

    beforeAll(async () => {
      // The policy keeps every event stored below: nothing may go, whoever asks.
      await setupRoles({
        pool: db.pool,
        owner,
        app,
        schema: db.schema,
        table,
        partition: layout,
        retention: { default: 30, categories: { security: 20 * 365 } },
      });
      pool = roles.as(app);
      const store = postgresStore({ pool, schema: db.schema, table, partition: layout, migrate: false });
      const now = Date.now();
      await logInto(store, [
        { type: 'login.failed', category: 'security', time: new Date('2020-01-15T00:00:00Z') },
        { type: 'login.failed', category: 'security', time: new Date(now - 200 * DAY) },
        { type: 'http.request', category: 'api', time: new Date(now - 20 * DAY) },
        { type: 'order.placed', category: 'business', time: new Date(now - DAY) },
        { type: 'http.request', category: 'api' },
      ]);
      before = await rows();
      expect(before).toHaveLength(5);
    });

    /** Runs `statements` in one transaction as the application role; resolves to the error that stopped it. */
    async function attempt(statements: string[]): Promise<Error | undefined> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        for (const sql of statements) await client.query(sql);
        await client.query('COMMIT');
        return undefined;
      } catch (error) {
        await client.query('ROLLBACK');
        return error as Error;
      } finally {
        client.release();
      }
    }

    const retentionOn = `SET LOCAL auditkit.retention = 'on'`;
    const refused: Array<[string, string[]]> = [
      ['DELETE', [`DELETE FROM ${t}`]],
      ['DELETE after SET LOCAL auditkit.retention', [retentionOn, `DELETE FROM ${t}`]],
      [
        'DELETE after set_config',
        [`SELECT set_config('auditkit.retention', 'on', false)`, `DELETE FROM ${t}`],
      ],
      [
        'DELETE with triggers off for replication',
        [`SET session_replication_role = replica`, `DELETE FROM ${t}`],
      ],
      ['UPDATE', [`UPDATE ${t} SET type = 'rewritten'`]],
      [
        'an upsert that updates',
        [
          `INSERT INTO ${t} SELECT * FROM ${t} LIMIT 1 ON CONFLICT (${layout === 'monthly' ? 'id, time' : 'id'}) DO UPDATE SET type = 'rewritten'`,
        ],
      ],
      ['TRUNCATE', [`TRUNCATE ${t}`]],
      ['TRUNCATE CASCADE', [`TRUNCATE ${t} CASCADE`]],
      ['DROP TABLE', [`DROP TABLE ${t} CASCADE`]],
      ['DROP SCHEMA', [`DROP SCHEMA ${s} CASCADE`]],
      ['ALTER TABLE ... DISABLE TRIGGER', [`ALTER TABLE ${t} DISABLE TRIGGER ALL`, `DELETE FROM ${t}`]],
      ['DROP TRIGGER', [`DROP TRIGGER "${table}_append_only" ON ${t}`]],
      ['ALTER TABLE ... RENAME', [`ALTER TABLE ${t} RENAME TO gone`]],
      ['ALTER TABLE ... DROP COLUMN', [`ALTER TABLE ${t} DROP COLUMN event`]],
      ['ALTER TABLE ... OWNER TO itself', [`ALTER TABLE ${t} OWNER TO "${app}"`]],
      ['row level security that hides rows', [`ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`]],
      ['a rule', [`CREATE RULE swallow AS ON INSERT TO ${t} DO INSTEAD NOTHING`]],
      [
        'a trigger of its own',
        [
          `CREATE FUNCTION pg_temp.wipe() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$`,
          `CREATE TRIGGER wipe BEFORE INSERT ON ${t} FOR EACH ROW EXECUTE FUNCTION pg_temp.wipe()`,
        ],
      ],
      [
        'replacing the guard function',
        [
          `CREATE OR REPLACE FUNCTION ${fn('append_only')}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$`,
        ],
      ],
      [
        'a function of its own in the schema',
        [
          `CREATE FUNCTION ${s}.now() RETURNS timestamptz LANGUAGE sql AS $$ SELECT 'infinity'::timestamptz $$`,
        ],
      ],
      ['granting itself DELETE', [`GRANT DELETE ON ${t} TO "${app}"`, `DELETE FROM ${t}`]],
      ['becoming the owner', [`SET ROLE "${owner}"`]],
      ['changing the retention policy', [`UPDATE ${fn('retention')} SET days = 0`]],
      ['emptying the retention policy', [`DELETE FROM ${fn('retention')}`]],
      ['adding to the retention policy', [`INSERT INTO ${fn('retention')} VALUES ('login.failed', 0)`]],
      ['set_retention', [`SELECT ${fn('set_retention')}('{"default": 0}')`]],
    ];
    if (layout === 'monthly') {
      const part = `${s}."${table}_2020_01"`;
      refused.push(
        ['DETACH PARTITION', [`ALTER TABLE ${t} DETACH PARTITION ${part}`]],
        ['DROP TABLE of a partition', [`DROP TABLE ${part}`]],
        ['TRUNCATE of a partition', [`TRUNCATE ${part}`]],
        ['DELETE from a partition', [retentionOn, `DELETE FROM ${part}`]],
        ['UPDATE of the default partition', [`UPDATE ${s}."${table}_default" SET type = 'x'`]],
        ['ALTER TABLE of a partition', [`ALTER TABLE ${part} DISABLE TRIGGER ALL`]],
        [
          'a partition of its own',
          [`CREATE TABLE ${s}.mine PARTITION OF ${t} FOR VALUES FROM ('1990-01-01') TO ('1990-02-01')`],
        ],
        [
          'attaching a table of its own',
          [
            `CREATE TEMP TABLE mine (LIKE ${t})`,
            `ALTER TABLE ${t} ATTACH PARTITION mine FOR VALUES FROM ('1990-01-01') TO ('1990-02-01')`,
          ],
        ],
      );
    }

    it.each(refused)('refuses %s', async (_name, statements) => {
      const error = await attempt(statements);
      expect(error?.message).toMatch(/permission denied|must be (the )?owner|append-only|superuser/);
      expect(await rows()).toEqual(before);
    });

    it('deletes nothing through the retention functions, whatever they are given', async () => {
      const calls = [
        `SELECT ${fn('apply_retention')}(NULL, NULL, 'infinity')`,
        `SELECT ${fn('apply_retention')}(NULL, '{}', 'infinity')`,
        `SELECT ${fn('apply_retention')}('security', NULL, 'infinity')`,
        `SELECT ${fn('apply_retention')}('api', NULL, now() + interval '100 years')`,
        `SELECT ${fn('apply_retention')}(NULL, NULL, NULL)`,
      ];
      if (layout === 'monthly')
        calls.push(
          `SELECT ${fn('drop_partitions')}('infinity')`,
          `SELECT ${fn('drop_partitions')}(NULL)`,
          `SELECT ${fn('add_partition')}(2020, 1)`,
          `SELECT ${fn('add_partition')}(1999, 12)`,
        );
      for (const sql of calls) {
        expect(await attempt([retentionOn, sql])).toBeUndefined();
        expect(await rows()).toEqual(before);
      }
      const store = postgresStore({ pool, schema: db.schema, table, partition: layout, migrate: false });
      expect(await store.applyRetention({ default: 0, now: new Date('9999-01-01T00:00:00Z') })).toEqual({
        deleted: 0,
      });
      expect(
        await store.applyRetention({ categories: { security: 0, api: 0, business: 0 }, default: 0 }),
      ).toEqual({ deleted: 0 });
      expect(await rows()).toEqual(before);
    });

    it('still refuses with DELETE, UPDATE and TRUNCATE granted by mistake, and health() names the grant', async () => {
      await db.pool.query(`GRANT DELETE, UPDATE, TRUNCATE ON ${t} TO "${app}"`);
      try {
        const store = postgresStore({ pool, schema: db.schema, table, partition: layout, migrate: false });
        const health = await store.health();
        expect(health.status).toBe('degraded');
        expect(health.reasons.join('\n')).toMatch(new RegExp(`"${app}" holds DELETE, TRUNCATE, UPDATE on`));
        for (const statements of [
          [`DELETE FROM ${t}`],
          [retentionOn, `DELETE FROM ${t}`],
          [`UPDATE ${t} SET type = 'x'`],
          [`TRUNCATE ${t}`],
        ])
          expect((await attempt(statements))?.message).toMatch(
            /append-only: (DELETE|UPDATE|TRUNCATE) refused/,
          );
        expect(await rows()).toEqual(before);
      } finally {
        await db.pool.query(`REVOKE DELETE, UPDATE, TRUNCATE ON ${t} FROM "${app}"`);
      }
    });
  },
);
