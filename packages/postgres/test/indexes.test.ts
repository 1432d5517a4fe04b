/** The keyset indexes: each ends in (time, id); the first layout's indexes without id are replaced. */
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
  it('ends every query index in (time, id) and drops the ones without id', async () => {
    await db.store('keyset').migrate();
    // The first layout's index, as an existing table still has it.
    await db.pool.query(`CREATE INDEX keyset_type_time ON "${db.schema}".keyset (type, time DESC)`);
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
        'keyset_tenant_outcome_key',
        'keyset_tenant_type_key',
        'keyset_time',
      ].sort(),
    );
    for (const i of found.filter((x) => x.name.endsWith('_key') || x.name.endsWith('_time')))
      expect(i.def).toMatch(/"time" DESC, id DESC\)/);
  });
});
