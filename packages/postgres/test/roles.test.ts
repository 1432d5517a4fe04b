import { randomBytes } from 'node:crypto';
import { postgresStore } from '@auditkit/postgres';
import { Pool } from 'pg';
import { logInto, testDatabase } from './helpers';

/**
 * An application role that may write, read, call retention and even holds DELETE: only the
 * retention function deletes, because it runs as the table's owner. Roles are cluster-wide, so
 * this one has a random name and is dropped afterwards.
 */
const db = testDatabase();
const role = `auditkit_app_${randomBytes(4).toString('hex')}`;
let app: Pool;

beforeAll(async () => {
  await db.pool.query(`CREATE ROLE "${role}" LOGIN`);
  app = new Pool({
    host: process.env.PGHOST ?? '127.0.0.1',
    port: Number(process.env.PGPORT ?? 5432),
    user: role,
    database: process.env.PGDATABASE ?? 'test',
    max: 2,
  });
});

afterAll(async () => {
  await app.end();
  await db.drop();
  const admin = new Pool({
    host: process.env.PGHOST ?? '127.0.0.1',
    user: process.env.PGUSER ?? 'postgres',
    database: process.env.PGDATABASE ?? 'test',
  });
  await admin.query(`DROP OWNED BY "${role}"`);
  await admin.query(`DROP ROLE "${role}"`);
  await admin.end();
});

describe('postgresStore under an application role', () => {
  it('refuses a DELETE from a role that sets auditkit.retention itself; retention still works for it', async () => {
    const owner = db.store('guarded_roles');
    await logInto(owner, [
      { type: 'http.request', category: 'api', time: '2020-01-01T00:00:00.000Z' },
      { type: 'user.created', category: 'admin' },
    ]);
    const t = `"${db.schema}"."guarded_roles"`;
    await db.pool.query(`GRANT USAGE ON SCHEMA "${db.schema}" TO "${role}"`);
    await db.pool.query(`GRANT SELECT, INSERT, DELETE ON ${t} TO "${role}"`);
    const client = await app.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('auditkit.retention', 'on', true)`);
      await expect(client.query(`DELETE FROM ${t}`)).rejects.toThrow(/append-only: DELETE refused/);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    const store = postgresStore({ pool: app, schema: db.schema, table: 'guarded_roles', migrate: false });
    expect(await store.applyRetention({ categories: { api: 30 } })).toEqual({ deleted: 1 });
    expect((await store.query({})).events.map((e) => e.type)).toEqual(['user.created']);
  });
});
