/** openStore: a directory, a file URL, PostgreSQL and MongoDB URLs with the store's own parameters. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createAuditLogger } from '@auditkit/core';
import { openStore, storeKind } from '@auditkit/open-store';
import { Pool } from 'pg';

const { startJavaMongo } = require('../../../test/infra/mongodb/start.js') as {
  startJavaMongo(): Promise<{ uri: string; stop(): Promise<unknown> }>;
};

const dir = mkdtempSync(join(tmpdir(), 'open-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function roundTrip(target: string, options = {}) {
  const opened = await openStore(target, options);
  try {
    const logger = createAuditLogger({ service: 'open', flushOnExit: false, sinks: [opened.store] });
    logger.log({ type: 'thing.done', tenant: 'acme', actor: { type: 'user', id: 'u-1' } });
    await logger.close();
    return { opened, page: await opened.store.query({ tenant: 'acme', filter: 'type:thing.*' }) };
  } finally {
    await opened.close();
  }
}

describe('openStore', () => {
  it('picks the store by scheme', () => {
    expect(
      [
        './audit-logs',
        '/var/audit/a.jsonl',
        'file:///x',
        'postgres://h/db',
        'postgresql://h',
        'mongodb://h',
        'mongodb+srv://h',
      ].map(storeKind),
    ).toEqual(['file', 'file', 'file', 'postgres', 'postgres', 'mongodb', 'mongodb']);
    expect(storeKind('mysql://h/db')).toBeUndefined();
  });

  it('opens a directory and a file:// URL as the file store', async () => {
    const { opened, page } = await roundTrip(join(dir, 'trail'));
    expect(opened.kind).toBe('file');
    expect(page.events).toHaveLength(1);
    const again = await openStore(pathToFileURL(join(dir, 'trail')).href);
    expect((await again.store.query({ filter: 'actor:u-1' })).events).toHaveLength(1);
    await again.close();
  });

  it('opens PostgreSQL with ?schema= and ?table=, migrating only when asked', async () => {
    const schema = `auditkit_test_${randomBytes(4).toString('hex')}`;
    const url = `postgres://postgres:secret@127.0.0.1:5432/test?schema=${schema}&table=events`;
    const pool = new Pool({ host: '127.0.0.1', user: 'postgres', database: 'test' });
    try {
      // Not there without migrate: named, with what to give, the password left out.
      await expect(roundTrip(url)).rejects.toThrow(
        `openStore: ${url.replace(':secret@', ':***@')} has no table "${schema}"."events": name the schema and table`,
      );
      const { opened, page } = await roundTrip(url, { migrate: true });
      expect(opened.kind).toBe('postgres');
      expect(opened.location).toBe(url.replace(':secret@', ':***@'));
      expect(page.events).toHaveLength(1);
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".events`);
      expect(rows[0].n).toBe(1);
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    }
  });

  it('opens MongoDB with the database from the path and ?collection=', async () => {
    const server = process.env.MONGODB_URI ? undefined : await startJavaMongo();
    try {
      const base = new URL(process.env.MONGODB_URI ?? server!.uri);
      const database = `auditkit_test_${randomBytes(4).toString('hex')}`;
      base.pathname = `/${database}`;
      base.searchParams.set('collection', 'trail');
      const { opened, page } = await roundTrip(base.toString());
      expect(opened.kind).toBe('mongodb');
      expect(page.events).toHaveLength(1);
      const check = await openStore(base.toString());
      expect((await check.store.stats({ tenant: 'acme' })).total).toBe(1);
      await check.close();
    } finally {
      await server?.stop();
    }
  }, 120_000);

  it('refuses an unknown scheme naming it, without the password', async () => {
    await expect(openStore('mysql://root:hunter2@db/audit')).rejects.toThrow(
      'openStore: unknown store "mysql://root:***@db/audit": use a directory or .jsonl file, postgres://… or mongodb://…',
    );
    await expect(openStore('')).rejects.toThrow(/a store is required/);
  });
});
