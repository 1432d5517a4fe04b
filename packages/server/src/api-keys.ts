/**
 * API keys of the console: random, shown once, stored as SHA-256 hashes in a JSON file, each with
 * scopes and one tenant (or `*` for all). A key reads `akc_<id>_<secret>`: the id finds the record,
 * the hash of the whole key is compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeDir } from '@auditkit/core/store';
import type { ApiKeyInfo, ApiKeyScope } from './types';

export const API_KEY_SCOPES: readonly ApiKeyScope[] = ['read', 'export', 'write', 'admin'];

/** One key as stored: never the key itself, only its hash. */
export interface ApiKeyRecord extends ApiKeyInfo {
  /** SHA-256 (hex) of the whole key string. */
  hash: string;
}

interface KeysFile {
  version: 1;
  keys: ApiKeyRecord[];
}

const KEY_PATTERN = /^akc_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const TENANT_PATTERN = /^(\*|[^\s*]{1,200})$/;

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

/** The key id a presented key claims, or undefined when it is not shaped like one of ours. */
export function keyIdOf(key: string): string | undefined {
  return KEY_PATTERN.exec(key)?.[1];
}

/** Does `text` contain something shaped like an API key (used to refuse keys in URLs)? */
export function containsApiKey(text: string): boolean {
  return /akc_[0-9a-f]{16}_/.test(text);
}

/** Checks the scopes list and tenant of a new key; the message names the option and the value. */
export function checkKeySpec(tenant: unknown, scopes: unknown): { tenant: string; scopes: ApiKeyScope[] } {
  if (typeof tenant !== 'string' || !TENANT_PATTERN.test(tenant))
    throw new TypeError(
      `tenant must be a tenant id (no spaces, no '*') or '*' for all tenants, got ${JSON.stringify(tenant)}`,
    );
  if (!Array.isArray(scopes) || scopes.length === 0)
    throw new TypeError(`scopes must name at least one of ${API_KEY_SCOPES.join(', ')}`);
  for (const s of scopes) {
    if (!API_KEY_SCOPES.includes(s as ApiKeyScope))
      throw new TypeError(
        `scopes: unknown scope ${JSON.stringify(s)}; known are ${API_KEY_SCOPES.join(', ')}`,
      );
  }
  return { tenant, scopes: [...new Set(scopes as ApiKeyScope[])] };
}

/** Reads a keys file; a missing file is an empty one. Errors name the file. */
export async function readKeysFile(path: string): Promise<ApiKeyRecord[]> {
  let text: string;
  try {
    text = await fsp.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  let parsed: Partial<KeysFile>;
  try {
    parsed = JSON.parse(text) as Partial<KeysFile>;
  } catch (error) {
    throw new TypeError(`keys file ${path} is not JSON: ${(error as Error).message}`);
  }
  if (parsed?.version !== 1 || !Array.isArray(parsed.keys))
    throw new TypeError(`keys file ${path} is not an auditkit keys file (version 1 with a "keys" list)`);
  return parsed.keys.filter(
    (k) =>
      typeof k?.id === 'string' &&
      typeof k.hash === 'string' &&
      /^[0-9a-f]{64}$/.test(k.hash) &&
      typeof k.tenant === 'string' &&
      Array.isArray(k.scopes),
  );
}

/** Replaces the file in one rename, so a reader (the watching server) never sees half of it. */
async function writeKeysFile(path: string, keys: ApiKeyRecord[]): Promise<void> {
  await makeDir(dirname(path), 0o700);
  const temp = join(dirname(path), `.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const body: KeysFile = { version: 1, keys };
  await fsp.writeFile(temp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
  await fsp.rename(temp, path);
}

/** Creates a key, stores its hash in `path` and returns the key: the only time it is visible. */
export async function createApiKey(
  path: string,
  spec: { tenant: string; scopes: ApiKeyScope[]; name?: string },
): Promise<{ key: string; info: ApiKeyInfo }> {
  const { tenant, scopes } = checkKeySpec(spec.tenant, spec.scopes);
  const id = randomBytes(8).toString('hex');
  const key = `akc_${id}_${randomBytes(32).toString('base64url')}`;
  const info: ApiKeyInfo = { id, tenant, scopes, created: new Date().toISOString() };
  if (spec.name) info.name = spec.name;
  const keys = await readKeysFile(path);
  keys.push({ ...info, hash: sha256(key).toString('hex') });
  await writeKeysFile(path, keys);
  return { key, info };
}

/** Marks a key revoked (kept in the file, so the console events naming it stay explainable). */
export async function revokeApiKey(path: string, id: string): Promise<ApiKeyInfo> {
  const keys = await readKeysFile(path);
  const record = keys.find((k) => k.id === id);
  if (!record) throw new Error(`no key with id ${id} in ${path}`);
  record.revoked ??= new Date().toISOString();
  await writeKeysFile(path, keys);
  return publicInfo(record);
}

export function publicInfo(record: ApiKeyRecord): ApiKeyInfo {
  const { hash: _hash, ...info } = record;
  return info;
}

/** The keys in force, by id; answers "which key is this" in constant time per candidate. */
export class ApiKeyRing {
  readonly #byId: Map<string, { record: ApiKeyRecord; hash: Buffer }>;
  /** Compared against when the id is unknown, so a miss costs what a hit costs. */
  static readonly #decoy = sha256('decoy');

  constructor(records: readonly ApiKeyRecord[]) {
    this.#byId = new Map(
      records.filter((r) => !r.revoked).map((r) => [r.id, { record: r, hash: Buffer.from(r.hash, 'hex') }]),
    );
  }

  get size(): number {
    return this.#byId.size;
  }

  /**
   * Keys that matched their hash, by id: a key presented again is compared with itself in
   * constant time instead of hashed again (a SHA-256 per request was the auth hook's cost). At
   * most one entry per key in force; a reload of the keys file makes a new ring, and so forgets.
   */
  readonly #verified = new Map<string, { key: Buffer; info: ApiKeyInfo }>();

  /** The key's info when `key` is a valid, unrevoked key; else undefined. */
  authenticate(key: string): ApiKeyInfo | undefined {
    const id = keyIdOf(key);
    const known = id === undefined ? undefined : this.#verified.get(id);
    if (known) {
      const presented = Buffer.from(key);
      if (presented.length === known.key.length && timingSafeEqual(presented, known.key))
        return { ...known.info, scopes: [...known.info.scopes] };
    }
    const entry = id === undefined ? undefined : this.#byId.get(id);
    const equal = timingSafeEqual(sha256(key), entry?.hash ?? ApiKeyRing.#decoy);
    if (!equal || !entry || id === undefined) return undefined;
    const info = publicInfo(entry.record);
    this.#verified.set(id, { key: Buffer.from(key), info: { ...info, scopes: [...info.scopes] } });
    return info;
  }

  /** Whether the key with this id is still in force with at least these scopes and this tenant. */
  stillValid(info: ApiKeyInfo): boolean {
    const current = this.#byId.get(info.id)?.record;
    return (
      current !== undefined &&
      current.tenant === info.tenant &&
      info.scopes.every((s) => current.scopes.includes(s))
    );
  }
}
