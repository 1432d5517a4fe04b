/**
 * `auditkit query` and `auditkit export`, spawned from the build, against a trail the Express
 * example wrote over HTTP: as a directory of audit files and copied into PostgreSQL.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '@auditkit/cli';
import {
  type AuditEvent,
  compileAuditFilter,
  createAuditLogger,
  createBatch,
  EXPORT_COLUMNS,
  fileSink,
  fileStore,
  parseAuditFilter,
} from '@auditkit/core';
import { createApp } from '@auditkit/example-express-app';
import { postgresStore } from '@auditkit/postgres';
import { startServer } from '@auditkit/test-utils';
import { Pool } from 'pg';
import { bin, auditkit as builtCli } from './run-cli';

const dir = mkdtempSync(join(tmpdir(), 'auditkit-query-'));
const trail = join(dir, 'audit-logs');
const schema = `auditkit_test_${randomBytes(4).toString('hex')}`;
const pgUrl = `postgres://postgres@127.0.0.1:5432/test?schema=${schema}`;
const pool = new Pool({ host: '127.0.0.1', user: 'postgres', database: 'test' });
const events: AuditEvent[] = [];

const auditkit = (...argv: string[]) => builtCli(argv);

const matching = (filter: string, tenant?: string) =>
  events.filter(compileAuditFilter(parseAuditFilter(filter), tenant));
const byTime = (list: AuditEvent[]) =>
  [...list].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.id < b.id ? -1 : 1));

beforeAll(async () => {
  const logger = createAuditLogger({
    service: 'orders',
    flushOnExit: false,
    batch: { maxWaitMs: 1 },
    sinks: [fileSink({ path: join(trail, 'audit.jsonl') })],
  });
  const server = await startServer(createApp({ logger }));
  const call = (method: string, path: string, body?: unknown, token?: string) =>
    fetch(server.url + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async (r) => (await r.json().catch(() => ({}))) as Record<string, string>);
  for (let i = 0; i < 3; i++) await call('POST', '/login', { username: 'mallory', password: `guess-${i}` });
  const token = (await call('POST', '/login', { username: 'alice', password: 'correct horse' })).token!;
  for (let i = 0; i < 6; i++) {
    const created = await call('POST', '/orders', { item: `item-${i}`, quantity: i + 1 }, token);
    await call('PATCH', `/orders/${created.id}`, { status: 'shipped' }, token);
  }
  await server.close();
  await logger.close();
  for await (const e of fileStore(trail).iterate()) events.push(e);
  // The same events in PostgreSQL.
  const store = postgresStore({ pool, schema });
  await store.write(createBatch(events));
}, 60_000);
afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
  rmSync(dir, { recursive: true, force: true });
});

describe.each([
  ['the Express example’s audit-logs directory', () => trail],
  ['PostgreSQL', () => pgUrl],
])('auditkit query and export against %s', (_name, store) => {
  it('query --format json: the filter’s matches, newest first', async () => {
    const r = await auditkit(
      'query',
      '--store',
      store(),
      'type:auth.* outcome:failure',
      '--since',
      '1h',
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    const { events: got } = JSON.parse(r.out) as { events: AuditEvent[] };
    expect(got.map((e) => e.id)).toEqual(
      byTime(matching('type:auth.* outcome:failure'))
        .reverse()
        .map((e) => e.id),
    );
    expect(got).toHaveLength(3);
    expect(got.every((e) => e.actor?.id === 'mallory')).toBe(true);
  });

  it('query --format table pages with the cursor it prints', async () => {
    /** acme's orders, a page of `limit` at a time. */
    const acmeOrders = (limit: string, ...extra: string[]) =>
      auditkit('query', '--store', store(), 'type:order.*', '--tenant', 'acme', '--limit', limit, ...extra);
    const first = await acmeOrders('4');
    expect(first.code).toBe(0);
    const lines = first.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+TENANT\s+TYPE\s+OUTCOME\s+ACTOR\s+RESOURCE\s+MESSAGE$/);
    expect(lines).toHaveLength(5);
    const cursor = /--cursor (\S+)/.exec(first.err)?.[1];
    expect(cursor).toBeDefined();
    const rest = await acmeOrders('100', '--format', 'csv');
    const next = await acmeOrders('4', '--cursor', cursor!, '--format', 'csv');
    expect(next.code).toBe(0);
    const all = rest.out.trimEnd().split('\n');
    expect(all[0]).toBe(EXPORT_COLUMNS.join(','));
    expect(next.out.trimEnd().split('\n').slice(1)).toEqual(all.slice(5, 9));
    expect(all).toHaveLength(1 + matching('type:order.*', 'acme').length);
  });

  it('export streams every match oldest first as NDJSON, JSON and CSV, no progress on a pipe', async () => {
    const expected = byTime(matching('-type:auth.*', 'acme')).map((e) => e.id);
    // A filter starting with `-` is not an option: it goes after `--`, and before it is refused.
    const swallowed = await auditkit('export', '--store', store(), '-type:auth.*');
    expect(swallowed.code).toBe(2);
    expect(swallowed.err).toContain("unknown option '-type:auth.*'");
    const run = (...extra: string[]) =>
      auditkit('export', '--store', store(), '--tenant', 'acme', ...extra, '--', '-type:auth.*');
    const nd = await run('--since', '2020-01-01');
    expect(nd.code).toBe(0);
    expect(nd.err).toBe('');
    expect(
      nd.out
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as AuditEvent).id),
    ).toEqual(expected);
    const json = await run('--format', 'json');
    expect((JSON.parse(json.out) as AuditEvent[]).map((e) => e.id)).toEqual(expected);
    const csv = await run('--format', 'csv');
    expect(csv.out.trimEnd().split('\n')).toHaveLength(1 + expected.length);
    const none = await auditkit('export', '--store', store(), 'tenant:nobody', '--format', 'json');
    expect(JSON.parse(none.out)).toEqual([]);
  });

  it('names the bad term, option or store and exits 2', async () => {
    const bad = await auditkit('query', '--store', store(), 'actr:alice');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown field "actr" in "actr:alice" at position 0');
    const since = await auditkit('export', '--store', store(), '--since', 'last tuesday');
    expect(since.code).toBe(2);
    expect(since.err).toContain('since: "last tuesday" is not a time');
    const limit = await auditkit('query', '--store', store(), '--limit', '5000');
    expect(limit.code).toBe(2);
    expect(limit.err).toContain('limit must be an integer from 1 to 1000');
  });
});

it('refuses an unknown store scheme, a store path that does not exist and a bad format', async () => {
  const scheme = await auditkit('query', '--store', 'mysql://db/audit');
  expect(scheme).toMatchObject({ code: 2 });
  expect(scheme.err).toContain('unknown store "mysql://db/audit"');
  const missing = await auditkit('query', '--store', join(dir, 'audit-logz'));
  expect(missing.code).toBe(2);
  expect(missing.err).toContain(`openStore: ${join(dir, 'audit-logz')} does not exist`);
  const format = await auditkit('export', '--store', trail, '--format', 'xml');
  expect(format.code).toBe(2);
  expect(format.err).toContain('--format must be one of csv, json, ndjson, got "xml"');
});

it('export shows progress on stderr when stderr is a terminal, and waits for stdout to drain', async () => {
  let out = '';
  let err = '';
  let writes = 0;
  const code = await run(['export', '--store', trail, '--format', 'ndjson'], {
    out: (t) => (out += t),
    err: (t) => (err += t),
    write: async (t) => {
      writes++;
      out += t;
      await new Promise((resolve) => setImmediate(resolve));
    },
    errIsTTY: true,
  });
  expect(code).toBe(0);
  expect(writes).toBeGreaterThan(0);
  expect(out.trimEnd().split('\n')).toHaveLength(events.length);
  expect(err).toBe(`\rexported ${events.length} events\n`);
});

it('export stops quietly with exit 0 when the reader goes away (| head)', async () => {
  const big = join(dir, 'big');
  const logger = createAuditLogger({
    service: 'bulk',
    flushOnExit: false,
    sinks: [fileSink({ path: join(big, 'audit.jsonl') })],
  });
  for (let i = 0; i < 20_000; i++)
    logger.log({ type: 'bulk.event', tenant: 'acme', message: 'x'.repeat(200) });
  await logger.close();
  const child = spawn(process.execPath, [bin, 'export', '--store', big, '--format', 'csv'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const [first] = (await once(child.stdout, 'data')) as [Buffer];
  expect(first.toString()).toMatch(/^id,time,tenant,type/);
  child.stdout.destroy();
  const [code] = (await once(child, 'exit')) as [number];
  expect({ code, err }).toEqual({ code: 0, err: '' });
}, 60_000);
