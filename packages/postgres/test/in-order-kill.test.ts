/**
 * A writer with two batches in flight is killed with SIGKILL, again and again, while some of its
 * COPYs are slowed at random (so a batch often finishes its COPY before the one ahead of it): each
 * chain it left is whole from seq 0 to wherever it was cut, and the trail verifies.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { generateSigningKeys, verifyStore } from '@auditkit/core';
import { testDatabase } from './helpers';

const db = testDatabase();
afterAll(() => db.drop());

function writer(env: Record<string, string>): ChildProcess {
  return fork(join(__dirname, 'fixtures', 'in-order-writer.js'), {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

async function stored(): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "${db.schema}".audit_events`,
  );
  return rows[0]!.n;
}

const gaps: string[] = [];

/** Reads every chain: whole from seq 0, or (recorded in `gaps`) with a gap. */
async function noGap(): Promise<void> {
  const { rows } = await db.pool.query<{ chain: string; n: number; last: number }>(
    `SELECT chain, count(*)::int AS n, max(seq)::int AS last FROM "${db.schema}".audit_events GROUP BY chain`,
  );
  for (const r of rows)
    if (r.n !== r.last + 1) gaps.push(`chain ${r.chain}: ${r.n} events stored, up to seq ${r.last}`);
}

describe('postgresStore writes in flight and SIGKILL', () => {
  it('leaves every chain cut short, never with a gap', async () => {
    const store = db.store();
    await store.migrate();
    // One COPY in three waits 20-60 ms before its first row: the batch behind it is copied in meanwhile.
    await db.pool.query(`
      CREATE FUNCTION "${db.schema}".slow_copy() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF random() < 0.33 THEN PERFORM pg_sleep(0.02 + random() * 0.04); END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER slow_copy BEFORE INSERT ON "${db.schema}".audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION "${db.schema}".slow_copy();`);
    const keys = generateSigningKeys();
    const runs = 3;
    for (let run = 1; run <= runs; run++) {
      const before = await stored();
      const child = writer({ SCHEMA: db.schema, INSTANCE: `w-${run}`, SIGNING_KEY: keys.privateKeyPem });
      const exited = new Promise((r) => child.once('exit', r));
      // Until then the chain is read again and again: whole from seq 0, or with a gap.
      while ((await stored()) < before + 3000) await noGap();
      await new Promise((r) => setTimeout(r, Math.random() * 100)); // anywhere in a write
      child.kill('SIGKILL');
      await exited;
    }

    expect(gaps).toEqual([]);
    const { rows } = await db.pool.query<{ chain: string; n: number; first: number; last: number }>(
      `SELECT chain, count(*)::int AS n, min(seq)::int AS first, max(seq)::int AS last
       FROM "${db.schema}".audit_events GROUP BY chain ORDER BY chain`,
    );
    expect(rows).toHaveLength(runs);
    for (const chain of rows) {
      expect(chain.n).toBeGreaterThanOrEqual(3000);
      expect(chain).toEqual({ ...chain, first: 0, last: chain.n - 1 });
    }
    expect((await verifyStore(store, { publicKeys: [keys.publicKeyPem] })).breaks).toEqual([]);
  }, 120_000);
});
