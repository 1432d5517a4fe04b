/**
 * The keyset indexes: each ends in (time, id); the earlier layouts' indexes are replaced; and the
 * planner reads the intended one for each filter class, for custom and generic plans alike.
 */
import type { AuditQuery } from '@auditkit/core';
import { postgresStore } from '@auditkit/postgres';
import type { Pool } from 'pg';
import { testDatabase } from './helpers';

const db = testDatabase();
afterAll(() => db.drop());

const indexes = async (table: string) =>
  (
    await db.pool.query<{ name: string; def: string }>(
      'SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = $1 AND tablename = $2',
      [db.schema, table],
    )
  ).rows;

describe('postgresStore indexes', () => {
  it('ends every query index in (time, id) and drops the ones an earlier version made', async () => {
    await db.store('keyset').migrate();
    // Indexes of earlier versions, as an existing table still has them.
    await db.pool.query(`CREATE INDEX keyset_type_time ON "${db.schema}".keyset (type, time DESC)`);
    await db.pool.query(
      `CREATE INDEX keyset_tenant_outcome_key ON "${db.schema}".keyset (tenant, outcome, time DESC, id DESC)`,
    );
    await db.store('keyset').migrate();
    const found = await indexes('keyset');
    const names = found.map((i) => i.name).sort();
    expect(names).toEqual(
      [
        'keyset_actor_key',
        'keyset_chain_seq',
        'keyset_correlation_key',
        'keyset_pkey',
        'keyset_resource_key',
        'keyset_tenant_key',
        'keyset_tenant_type_key',
        'keyset_time',
        'keyset_unsuccessful_key',
      ].sort(),
    );
    for (const i of found.filter((x) => x.name.endsWith('_key') || x.name.endsWith('_time')))
      expect(i.def).toMatch(/"time" DESC, id DESC\)/);
    expect(found.find((i) => i.name === 'keyset_unsuccessful_key')!.def).toMatch(
      /WHERE \(outcome <> 'success'::text\)$/,
    );
  });

  describe('the index each filter class reads', () => {
    const table = 'planned';
    const t = `"${db.schema}"."${table}"`;
    let sent: { text: string; values: unknown[] } | undefined;
    // The store on a pool that keeps the last statement it sent, to EXPLAIN it as sent.
    const recording = (pool: Pool): Pool => {
      const recorder = Object.create(pool) as Pool;
      recorder.query = ((config: string | { text: string; values?: unknown[] }, values?: unknown[]) => {
        sent =
          typeof config === 'string'
            ? { text: config, values: values ?? [] }
            : { text: config.text, values: config.values ?? [] };
        return pool.query(config as string, values);
      }) as Pool['query'];
      return recorder;
    };
    const store = () => db.store(table);

    beforeAll(async () => {
      await store().migrate();
      // 20 tenants, 20 types, 1 in 25 events unsuccessful, 200 actors and resources per tenant.
      await db.pool.query(`
        INSERT INTO ${t} (id, time, tenant, type, category, action, outcome, severity, actor_id, resource_type, resource_id, correlation_id, event)
        SELECT lpad(i::text, 12, '0'), timestamptz '2026-10-01' + i * interval '1 second', 't-' || (i % 20),
               'type.' || ((i / 20) % 20), 'data', 'update',
               CASE WHEN i % 25 = 0 THEN 'failure' WHEN i % 50 = 1 THEN 'unknown' ELSE 'success' END, 'info',
               'u-' || (i % 20) || '-' || ((i / 20) % 200), 'invoice', 'r-' || (i % 20) || '-' || ((i / 20) % 200),
               CASE WHEN i % 3 = 0 THEN 'c-' || (i / 3) END,
               json_build_object('id', lpad(i::text, 12, '0'), 'time', timestamptz '2026-10-01' + i * interval '1 second')
          FROM generate_series(1, 60000) AS i`);
      await db.pool.query(`ANALYZE ${t}`);
    });

    /** The indexes in the plan of the store's statement for `query`, under `planCacheMode`. */
    const planned = async (query: AuditQuery, planCacheMode: string): Promise<string[]> => {
      sent = undefined;
      await postgresStore({ pool: recording(db.pool), schema: db.schema, table, migrate: false }).query(
        query,
      );
      const client = await db.pool.connect();
      try {
        // A prepared statement, as a plan cache holds it: EXPLAIN of a statement with bound
        // parameters would always plan for their values.
        await client.query(`SET plan_cache_mode = ${planCacheMode}`);
        await client.query(`PREPARE explained AS ${sent!.text}`);
        const args = sent!.values.map((v) =>
          typeof v === 'number' ? String(v) : client.escapeLiteral(String(v)),
        );
        const { rows } = await client.query(
          `EXPLAIN (FORMAT JSON) EXECUTE explained${args.length ? `(${args.join(', ')})` : ''}`,
        );
        const names: string[] = [];
        const walk = (node: { 'Index Name'?: string; Plans?: unknown[] }) => {
          if (node['Index Name']) names.push(node['Index Name']);
          for (const child of node.Plans ?? []) walk(child as typeof node);
        };
        walk(rows[0]['QUERY PLAN'][0].Plan);
        return names;
      } finally {
        await client.query('DEALLOCATE ALL; RESET plan_cache_mode');
        client.release();
      }
    };
    it.each([
      ['a tenant only', { tenant: 't-3' }, 'planned_tenant_key'],
      [
        'a time range',
        { tenant: 't-3', filter: 'since:2026-10-01T01:00:00Z until:2026-10-01T05:00:00Z' },
        'planned_tenant_key',
      ],
      ['no tenant', {}, 'planned_time'],
      ['an actor', { tenant: 't-3', filter: 'actor:u-3-42' }, 'planned_actor_key'],
      [
        'a resource',
        { tenant: 't-3', filter: 'resource.type:invoice resource.id:r-3-77' },
        'planned_resource_key',
      ],
      ['a type', { tenant: 't-3', filter: 'type:type.7' }, 'planned_tenant_type_key'],
      ['a failure', { tenant: 't-3', filter: 'outcome:failure' }, 'planned_unsuccessful_key'],
      ['a success', { tenant: 't-3', filter: 'outcome:success' }, 'planned_tenant_key'],
      ['a correlation id', { tenant: 't-3', filter: 'correlation:c-63' }, 'planned_correlation_key'],
    ] as Array<[string, AuditQuery, string]>)('%s', async (_name, query, index) => {
      for (const mode of ['force_custom_plan', 'force_generic_plan'])
        expect({ mode, indexes: await planned({ ...query, limit: 50 }, mode) }).toEqual({
          mode,
          indexes: [index],
        });
    });
  });
});
