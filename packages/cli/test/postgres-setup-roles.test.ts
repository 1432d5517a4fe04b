import { randomBytes } from 'node:crypto';
import { createAuditLogger } from '@auditkit/core';
import { postgresStore } from '@auditkit/postgres';
import { Pool } from 'pg';
import { auditkit } from './run-cli';

/**
 * `auditkit postgres setup-roles` against the real PostgreSQL: the owner/application split, said
 * line by line, the same again on a second run, and an application role that writes and reads only.
 */
const host = process.env.PGHOST ?? '127.0.0.1';
const port = Number(process.env.PGPORT ?? 5432);
const database = process.env.PGDATABASE ?? 'test';
const url = `postgres://${process.env.PGUSER ?? 'postgres'}@${host}:${port}/${database}`;
const suffix = randomBytes(4).toString('hex');
const [owner, app, schema] = [`auditkit_owner_${suffix}`, `auditkit_app_${suffix}`, `auditkit_cli_${suffix}`];
const admin = new Pool({ connectionString: url, max: 1 });
const appPool = new Pool({ host, port, database, user: app, max: 1 });

afterAll(async () => {
  await appPool.end();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  for (const role of [owner, app]) {
    await admin.query(`DROP OWNED BY "${role}" CASCADE`).catch(() => undefined);
    await admin.query(`DROP ROLE IF EXISTS "${role}"`);
  }
  await admin.end();
});

const args = ['postgres', 'setup-roles', '--url', url, '--owner', owner, '--app', app, '--schema', schema];

describe('auditkit postgres setup-roles', () => {
  it('creates the owner and application roles and says what it did; a second run changes nothing', async () => {
    const first = await auditkit([
      ...args,
      '--partition',
      'monthly',
      '--retention',
      'default=365,security=2555',
    ]);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain(
      `created role "${owner}" (NOLOGIN: it owns the trail; nobody connects as it)`,
    );
    expect(first.out).toContain(`created role "${app}" (LOGIN, no password yet`);
    expect(first.out).toContain(`created schema "${schema}" owned by "${owner}"`);
    expect(first.out).toContain(
      `migrated "${schema}"."audit_events" as "${owner}"; stored retention policy {"default":365,"categories":{"security":2555}}`,
    );
    expect(first.out).toContain(
      `The application connects as ${app} and uses postgresStore({ pool, schema: '${schema}'`,
    );

    const second = await auditkit([...args, '--partition', 'monthly']);
    expect(second.code).toBe(0);
    expect(second.out).toContain(`role "${owner}" exists`);
    expect(second.out).not.toMatch(/created|revoked|owner was/);
  });

  it('leaves the application role able to insert and read, and nothing else', async () => {
    const store = postgresStore({ pool: appPool, schema, partition: 'monthly', migrate: false });
    const logger = createAuditLogger({ service: 'orders', flushOnExit: false, sinks: [store] });
    logger.log({ type: 'order.created' });
    await logger.close();
    expect(logger.stats().sinks[0]!.delivered).toBe(1);
    expect((await store.query()).events.map((e) => e.type)).toEqual(['order.created']);
    expect(await store.health()).toEqual({ status: 'ok', reasons: [] });
    await expect(appPool.query(`DELETE FROM "${schema}".audit_events`)).rejects.toThrow(/permission denied/);
    await expect(appPool.query(`DROP TABLE "${schema}".audit_events`)).rejects.toThrow(/must be owner/);
  });

  it('exits 2 with the reason for bad flags and an unreachable server', async () => {
    const bad = await auditkit([...args, '--retention', 'forever']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(
      '--retention must be category=days pairs such as "default=365,security=2555", got "forever"',
    );
    const missing = await auditkit(['postgres', 'setup-roles', '--url', url, '--owner', owner]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/required option '--app <role>' not specified/);
    const down = await auditkit([
      'postgres',
      'setup-roles',
      '--url',
      'postgres://postgres@127.0.0.1:1/test',
      '--owner',
      owner,
      '--app',
      app,
    ]);
    expect(down.code).toBe(2);
    expect(down.err).toMatch(/^auditkit: .*ECONNREFUSED/);
  });
});
