import { postgresStore, setupRoles } from '@auditkit/postgres';
import { testDatabase, testRoles } from './helpers';

/** health() says when the store's role could remove or change events: superuser, owner, grants. */
const db = testDatabase();
const roles = testRoles('owner', 'app');
const [owner, app] = roles.names as [string, string];
afterAll(async () => {
  await db.drop();
  await roles.drop();
});

describe('postgresStore health()', () => {
  it('is degraded for a superuser, ok for the application role of setupRoles', async () => {
    const admin = postgresStore({ pool: db.pool, schema: db.schema });
    const health = await admin.health();
    expect(health.status).toBe('degraded');
    expect(health.reasons).toEqual([
      expect.stringMatching(/^runs as superuser "postgres", which can delete/),
    ]);
    await setupRoles({ pool: db.pool, owner, app, schema: db.schema });
    const store = postgresStore({ pool: roles.as(app), schema: db.schema, migrate: false });
    expect(await store.health()).toEqual({ status: 'ok', reasons: [] });
    await db.pool.query(`GRANT UPDATE ON "${db.schema}".audit_events_retention TO "${app}"`);
    expect((await store.health()).reasons).toEqual([
      expect.stringMatching(/can change the retention policy/),
    ]);
  });

  it('is failing, not throwing, when it cannot ask', async () => {
    const store = postgresStore({ pool: roles.as(app), schema: 'no_such_schema_here' });
    const health = await store.health();
    expect(health.status).toBe('failing');
    expect(health.reasons[0]).toMatch(/^cannot check the store's role: /);
  });
});
