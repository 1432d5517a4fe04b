/**
 * One store by where it lives: `./audit-logs` (a directory of audit files, or one `.jsonl` file,
 * or a `file://` URL), `postgres://…` / `postgresql://…`, `mongodb://…` / `mongodb+srv://…`.
 * The database packages are loaded only when their scheme is asked for.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type AuditStore, fileStore } from '@auditkit/core';

export interface OpenStoreOptions {
  /**
   * PostgreSQL: create the table, indexes and guards on first use. Default false: a reader needs no
   * DDL rights, and a mistyped schema should fail, not create an empty table.
   */
  migrate?: boolean;
  /** PostgreSQL pool size. Default 10. */
  poolSize?: number;
  /** A directory store's own file, where writes go. Default `audit.jsonl`. */
  file?: string;
  /**
   * A directory or file that does not exist is an error, not an empty store (for readers, where a
   * mistyped path must not look like an empty trail). Default false: a writer creates it.
   */
  mustExist?: boolean;
}

export interface OpenedStore {
  store: AuditStore;
  kind: 'file' | 'postgres' | 'mongodb';
  /** Where it is, for messages: a path, or the URL without its password. */
  location: string;
  /** Closes the store and the connection openStore made. */
  close(): Promise<void>;
}

/** Which kind of store a target names, or undefined for an unknown URL scheme. */
export function storeKind(target: string): OpenedStore['kind'] | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(target)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === 'file') return 'file';
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  if (scheme === 'mongodb' || scheme === 'mongodb+srv') return 'mongodb';
  return undefined;
}

/**
 * Opens the store `target` names. PostgreSQL URLs may carry `?schema=…&table=…` (defaults
 * `public`, `audit_events`); MongoDB URLs name the database in their path (default `auditkit`)
 * and may carry `?collection=…` (default `audit_events`). Those parameters are the store's and are
 * not passed to the driver.
 */
export async function openStore(target: string, options: OpenStoreOptions = {}): Promise<OpenedStore> {
  if (typeof target !== 'string' || target.trim() === '')
    throw new TypeError('openStore: a store is required: a directory, postgres://… or mongodb://…');
  const kind = storeKind(target);
  if (kind === 'file') {
    const path = target.toLowerCase().startsWith('file://') ? fileURLToPath(target) : target;
    if (options.mustExist && !existsSync(path)) throw new Error(`openStore: ${path} does not exist`);
    const store = fileStore(path, options.file === undefined ? {} : { file: options.file });
    return { store, kind, location: path, close: () => store.close() };
  }
  if (kind === 'postgres') return openPostgres(target, options);
  if (kind === 'mongodb') return openMongo(target);
  throw new TypeError(
    `openStore: unknown store "${withoutPassword(target)}": use a directory or .jsonl file, postgres://… or mongodb://…`,
  );
}

async function openPostgres(target: string, options: OpenStoreOptions): Promise<OpenedStore> {
  const url = parseUrl(target);
  const schema = takeParam(url, 'schema');
  const table = takeParam(url, 'table');
  const { postgresStore } = load<typeof import('@auditkit/postgres')>('@auditkit/postgres', 'postgres://');
  const { Pool } = load<typeof import('pg')>('pg', 'postgres://');
  const pool = new Pool({ connectionString: url.toString(), max: options.poolSize ?? 10 });
  // An idle client's error (the server restarted) must not crash a CLI or a server.
  pool.on('error', () => undefined);
  const migrate = options.migrate ?? false;
  const store = postgresStore({
    pool,
    ...(schema === undefined ? {} : { schema }),
    ...(table === undefined ? {} : { table }),
    migrate,
  });
  if (!migrate) await requireTable(pool, schema ?? 'public', table ?? 'audit_events', target);
  return {
    store,
    kind: 'postgres',
    location: withoutPassword(target),
    async close() {
      await store.close();
      await pool.end();
    },
  };
}

/**
 * A URL naming a table that is not there (a missing `?schema=`, a typo) fails here, naming what
 * to give, instead of as a bare `relation … does not exist` on the first query. A server that does
 * not answer is left to the store, which reports it when it is used.
 */
async function requireTable(
  pool: import('pg').Pool,
  schema: string,
  table: string,
  target: string,
): Promise<void> {
  // postgresStore took both as plain identifiers already (it refuses any other), so quoting is enough.
  const name = `"${schema}"."${table}"`;
  let found: unknown;
  try {
    const { rows } = await pool.query('SELECT to_regclass($1) AS t', [name]);
    found = rows[0]?.t;
  } catch {
    return;
  }
  if (found !== null) return;
  await pool.end();
  throw new Error(
    `openStore: ${withoutPassword(target)} has no table ${name}: name the schema and table the trail is in with ?schema=…&table=… (auditkit postgres setup-roles prints them), or create it`,
  );
}

async function openMongo(target: string): Promise<OpenedStore> {
  const url = parseUrl(target);
  const collection = takeParam(url, 'collection');
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined;
  const { mongoStore } = load<typeof import('@auditkit/mongodb')>('@auditkit/mongodb', 'mongodb://');
  const { MongoClient } = load<typeof import('mongodb')>('mongodb', 'mongodb://');
  const client = new MongoClient(url.toString(), { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  const store = mongoStore({
    client,
    ...(database === undefined ? {} : { database }),
    ...(collection === undefined ? {} : { collection }),
  });
  return {
    store,
    kind: 'mongodb',
    location: withoutPassword(target),
    async close() {
      await store.close();
      await client.close();
    },
  };
}

function parseUrl(target: string): URL {
  try {
    return new URL(target);
  } catch {
    throw new TypeError(`openStore: "${withoutPassword(target)}" is not a valid URL`);
  }
}

/** Removes and returns a store parameter, so the driver never sees it. */
function takeParam(url: URL, name: string): string | undefined {
  const value = url.searchParams.get(name) ?? undefined;
  url.searchParams.delete(name);
  return value;
}

function withoutPassword(target: string): string {
  return target.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

/** A package needed only for one kind of store, with an install hint when it is missing. */
function load<T>(name: string, scheme: string): T {
  try {
    return require(name) as T;
  } catch (error) {
    if ((error as { code?: string }).code === 'MODULE_NOT_FOUND')
      throw new Error(`openStore: ${scheme} stores need the package ${name} (npm install ${name})`);
    throw error;
  }
}
