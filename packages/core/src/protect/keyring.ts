/**
 * Keys for field encryption: a keyring of named AES-256 keys (newest encrypts, all decrypt), and a
 * store of per-subject keys whose erasure makes that subject's fields unrecoverable.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Actor, AuditLogger } from '../types';

export interface DataKey {
  kid: string;
  key: Buffer;
}

/** Where encryption keys come from. A KMS-backed provider implements the same two methods. */
export interface KeyProvider {
  /** The key new events are encrypted with. */
  current(): DataKey;
  /** A key by id, for decryption; undefined when unknown or destroyed. */
  get(kid: string): Buffer | undefined;
}

/** Per-subject keys (a user, a patient): erasing one shreds every field encrypted under it. */
export interface SubjectKeyStore {
  /** The subject's key, created on first use. */
  keyFor(subject: string): DataKey;
  get(kid: string): Buffer | undefined;
  /**
   * Destroys the subject's key; true when there was one. With `logger`, the erasure itself is
   * recorded as a `privacy.erasure` event (the subject id, never the key).
   */
  erase(
    subject: string,
    options?: { logger?: AuditLogger; actor?: Partial<Actor>; reason?: string },
  ): boolean;
}

/** Environment variable read by `keyringFromEnv`: JSON `{ "current": "k2", "keys": { "k1": "<base64>", ... } }`. */
export const KEYRING_ENV = 'AUDITKIT_KEYRING';

interface KeyringJson {
  current: string;
  keys: Record<string, string>;
}

function decodeKey(kid: string, base64: unknown): Buffer {
  const key = typeof base64 === 'string' ? Buffer.from(base64, 'base64') : Buffer.alloc(0);
  if (key.length !== 32)
    throw new TypeError(`auditkit: keyring key "${kid}" must be 32 bytes of base64 (AES-256)`);
  return key;
}

/** A keyring from `{ current, keys: { kid: base64 } }`. Rotation: add a key and make it current. */
export function localKeyring(json: KeyringJson): KeyProvider {
  if (!json || typeof json !== 'object' || typeof json.keys !== 'object' || json.keys === null)
    throw new TypeError('auditkit: a keyring is { "current": "<kid>", "keys": { "<kid>": "<base64>" } }');
  const keys = new Map(Object.entries(json.keys).map(([kid, b64]) => [kid, decodeKey(kid, b64)]));
  const current = keys.get(json.current);
  if (!current) throw new TypeError(`auditkit: keyring current key "${json.current}" is not among its keys`);
  const currentKey: DataKey = { kid: json.current, key: current };
  return { current: () => currentKey, get: (kid) => keys.get(kid) };
}

function parseKeyring(text: string, where: string): KeyringJson {
  try {
    return JSON.parse(text) as KeyringJson;
  } catch {
    throw new TypeError(`auditkit: the keyring in ${where} is not JSON`);
  }
}

export function keyringFromFile(path: string): KeyProvider {
  return localKeyring(parseKeyring(readFileSync(path, 'utf8'), path));
}

export function keyringFromEnv(name = KEYRING_ENV): KeyProvider {
  const value = process.env[name];
  if (!value) throw new TypeError(`auditkit: ${name} is not set`);
  return localKeyring(parseKeyring(value, name));
}

/** A new keyring JSON with one fresh key, for `auditkit keys` and tests. */
export function generateKeyring(kid = `k${Date.now().toString(36)}`): KeyringJson {
  return { current: kid, keys: { [kid]: randomBytes(32).toString('base64') } };
}

/**
 * Subject keys in a JSON file (mode 0600), written atomically (temp file, then rename) whenever a
 * key is made or erased, so a key an event was encrypted with is on disk before the event leaves.
 */
export function fileSubjectKeys(path: string): SubjectKeyStore {
  const keys = new Map<string, Buffer>();
  if (existsSync(path)) {
    const json = parseKeyring(readFileSync(path, 'utf8'), path) as unknown as {
      subjects?: Record<string, string>;
    };
    for (const [subject, b64] of Object.entries(json.subjects ?? {}))
      keys.set(subject, decodeKey(subject, b64));
  }
  const save = (): void => {
    const subjects = Object.fromEntries([...keys].map(([s, k]) => [s, k.toString('base64')]));
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ subjects }), { mode: 0o600 });
    renameSync(tmp, path);
  };
  const kid = (subject: string): string => `subject:${subject}`;
  return {
    keyFor(subject) {
      let key = keys.get(subject);
      if (!key) {
        key = randomBytes(32);
        keys.set(subject, key);
        save();
      }
      return { kid: kid(subject), key };
    },
    get: (id) => (id.startsWith('subject:') ? keys.get(id.slice('subject:'.length)) : undefined),
    erase(subject, options) {
      const had = keys.delete(subject);
      if (had) save();
      options?.logger?.log({
        type: 'privacy.erasure',
        category: 'compliance',
        action: 'delete',
        outcome: had ? 'success' : 'unknown',
        actor: options.actor,
        resource: { type: 'data-subject', id: subject },
        message: had
          ? 'subject key destroyed: its encrypted fields are unrecoverable'
          : 'no key held for this subject',
        details: options.reason ? { reason: options.reason } : undefined,
        compliance: ['GDPR'],
      });
      return had;
    },
  };
}
