import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuditEvent, ChainVerifier } from '@auditkit/core';
import { postgresStore } from '@auditkit/postgres';
import { Pool } from 'pg';

export const PG = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
  database: process.env.PGDATABASE ?? 'test',
};

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `auditkit-${prefix}-`));
}

/** A pool on `port` (the real server, or a proxy in front of it) that never crashes on a cut connection. */
export function pool(port = PG.port): Pool {
  const p = new Pool({ ...PG, port, max: 2, connectionTimeoutMillis: 1000 });
  p.on('error', () => {}); // idle clients of a cut proxy emit errors; the store's writes report them
  return p;
}

/** A random schema on the shared server; `drop()` removes it and ends the pool. */
export function testSchema() {
  const direct = pool();
  const schema = `auditkit_delivery_${randomBytes(4).toString('hex')}`;
  return {
    schema,
    direct,
    store: (p: Pool) => postgresStore({ pool: p, schema }),
    /** Every stored event, chain by chain in seq order. */
    async events(): Promise<AuditEvent[]> {
      const { rows } = await direct.query<{ event: AuditEvent }>(
        `SELECT event FROM "${schema}".audit_events ORDER BY chain, seq`,
      );
      return rows.map((r) => r.event);
    },
    async counts(): Promise<{ rows: number; distinct: number }> {
      const { rows } = await direct.query<{ n: string; d: string }>(
        `SELECT count(*) AS n, count(DISTINCT id) AS d FROM "${schema}".audit_events`,
      );
      return { rows: Number(rows[0]!.n), distinct: Number(rows[0]!.d) };
    },
    async drop() {
      await direct.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await direct.end();
    },
  };
}

/** Verifies the hash chains of `events` (ordered by chain and seq). */
export function verifyChains(events: readonly AuditEvent[]) {
  const v = new ChainVerifier();
  for (const e of events) v.addEvent(e);
  return v.finish();
}

/** Polls `check` until it returns true or `ms` pass. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  ms: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
