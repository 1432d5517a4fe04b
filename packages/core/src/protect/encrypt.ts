/**
 * Field encryption (the protect stage, after redaction): chosen paths are replaced by AES-256-GCM
 * ciphertext under a keyring key, personal paths under the data subject's own key. The seal hashes
 * the ciphertext, so erasing a subject's key leaves every chain and proof valid.
 */
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { optionError } from '../option-check';
import type { AuditEvent } from '../types';
import type { KeyProvider, SubjectKeyStore } from './keyring';
import { childPath, compilePaths, type PathNode } from './redaction';

export const ENCRYPTION_ALG = 'A256GCM';

const WHERE = 'createAuditLogger';

/** What an encrypted value looks like in a stored event. */
export interface EncryptedValue {
  $enc: typeof ENCRYPTION_ALG;
  kid: string;
  /** Base64 IV (12 bytes). */
  iv: string;
  /** Base64 ciphertext followed by the 16-byte GCM tag. */
  data: string;
}

export interface ProtectOptions {
  /** Paths encrypted under the keyring's current key (`details.ssn`, `request.body.*.iban`). */
  encrypt?: string | string[];
  /** Where encryption keys come from: `localKeyring(...)`, `keyringFromFile(path)`, `keyringFromEnv()`, or a KMS provider. */
  keyring?: KeyProvider;
  /** Paths encrypted under the data subject's own key, so `subjects.erase(id)` shreds them. */
  personal?: string | string[];
  /** Per-subject keys for `personal` paths. */
  subjects?: SubjectKeyStore;
  /** The data subject of an event. Default: the actor id. */
  subject?: (event: AuditEvent) => string | undefined;
}

export function isEncrypted(value: unknown): value is EncryptedValue {
  return (
    value !== null &&
    typeof value === 'object' &&
    (value as EncryptedValue).$enc === ENCRYPTION_ALG &&
    typeof (value as EncryptedValue).kid === 'string'
  );
}

// Random IVs come from a pool: one getrandom call per 512 fields instead of one per field, which
// cost as much as the encryption itself on small VMs. Random 96-bit IVs, as NIST SP 800-38D allows.
const IV_BYTES = 12;
const ivPool = Buffer.allocUnsafe(IV_BYTES * 512);
let ivOffset = ivPool.length;

function nextIv(): Buffer {
  if (ivOffset + IV_BYTES > ivPool.length) {
    randomFillSync(ivPool);
    ivOffset = 0;
  }
  const iv = Buffer.from(ivPool.subarray(ivOffset, ivOffset + IV_BYTES));
  ivOffset += IV_BYTES;
  return iv;
}

function encrypt(value: unknown, kid: string, key: Buffer): EncryptedValue {
  const iv = nextIv();
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  // The key id is authenticated too: a value moved under another key id fails to decrypt.
  cipher.setAAD(Buffer.from(kid));
  const data = Buffer.concat([
    cipher.update(JSON.stringify(value), 'utf8'),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  return { $enc: ENCRYPTION_ALG, kid, iv: iv.toString('base64'), data: data.toString('base64') };
}

function decrypt(value: EncryptedValue, key: Buffer): unknown {
  const data = Buffer.from(value.data, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(value.iv, 'base64'));
  decipher.setAAD(Buffer.from(value.kid));
  decipher.setAuthTag(data.subarray(data.length - 16));
  const plain = Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]);
  return JSON.parse(plain.toString('utf8'));
}

/** Visits the values at `trie` paths below `value`, replacing each with what `fn` returns. */
function visit(value: unknown, trie: PathNode, at: string, fn: (v: unknown, path: string) => unknown): void {
  if (value === null || typeof value !== 'object') return;
  const keys = Array.isArray(value) ? value.map((_, i) => String(i)) : Object.keys(value);
  for (const key of keys) {
    const node = childPath(trie, key);
    if (!node) continue;
    const record = value as Record<string, unknown>;
    const path = at ? `${at}.${key}` : key;
    if (node.terminal) {
      if (record[key] !== undefined) record[key] = fn(record[key], path);
    } else visit(record[key], node, path, fn);
  }
}

export class Protector {
  readonly #encrypt: PathNode | undefined;
  readonly #personal: PathNode | undefined;
  readonly #o: ProtectOptions;

  constructor(options: ProtectOptions) {
    this.#o = options;
    this.#encrypt = compilePaths(options.encrypt);
    this.#personal = compilePaths(options.personal);
    if (this.#encrypt && !options.keyring)
      throw optionError(WHERE, 'protect.keyring', 'a keyring when protect.encrypt is set', options.keyring);
    if (this.#personal && !options.subjects)
      throw optionError(
        WHERE,
        'protect.subjects',
        'a subject key store when protect.personal is set',
        options.subjects,
      );
    if (options.keyring) options.keyring.current(); // fail at startup on an unusable keyring
  }

  /** Encrypts the configured fields of `event` in place and records which in `event.protected`. */
  apply(event: AuditEvent): void {
    const fields: string[] = [];
    let kid = '';
    if (this.#personal) {
      const subject = this.#o.subject ? this.#o.subject(event) : event.actor?.id;
      if (subject) {
        const key = this.#o.subjects!.keyFor(subject);
        visit(event, this.#personal, '', (v, path) => {
          fields.push(path);
          return encrypt(v, key.kid, key.key);
        });
        if (fields.length > 0) kid = key.kid;
      }
    }
    if (this.#encrypt) {
      const key = this.#o.keyring!.current();
      visit(event, this.#encrypt, '', (v, path) => {
        if (isEncrypted(v)) return v; // already under the subject's key
        fields.push(path);
        kid = key.kid;
        return encrypt(v, key.kid, key.key);
      });
    }
    if (fields.length > 0) event.protected = { kid, alg: ENCRYPTION_ALG, fields };
  }
}

export interface DecryptKeys {
  keyring?: KeyProvider;
  subjects?: SubjectKeyStore;
}

export interface DecryptResult {
  event: AuditEvent;
  /** Paths that stayed encrypted: their key is unknown here, or was erased. */
  undecryptable: string[];
}

/**
 * A copy of `event` with the fields it can decrypt in the clear. Fields whose key is missing or
 * erased stay ciphertext; a value that fails authentication (tampered) throws.
 */
export function decryptEvent(event: AuditEvent, keys: DecryptKeys): DecryptResult {
  const copy = JSON.parse(JSON.stringify(event)) as AuditEvent;
  const undecryptable: string[] = [];
  const paths = event.protected?.fields ?? [];
  const trie = compilePaths(paths);
  if (!trie) return { event: copy, undecryptable };
  visit(copy, trie, '', (v, path) => {
    if (!isEncrypted(v)) return v;
    const key = keys.subjects?.get(v.kid) ?? keys.keyring?.get(v.kid);
    if (!key) {
      undecryptable.push(path);
      return v;
    }
    try {
      return decrypt(v, key);
    } catch {
      throw new Error(
        `auditkit: ${path} of event ${event.id} does not decrypt under key ${v.kid}: tampered, or the wrong key`,
      );
    }
  });
  return { event: copy, undecryptable };
}
