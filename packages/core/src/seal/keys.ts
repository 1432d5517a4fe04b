/** Ed25519 keys for signed checkpoints: generation, loading from PEM, file or env, and key ids. */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';

/** Environment variable holding the signing key (PEM text, or a path to a PEM file). */
export const SIGNING_KEY_ENV = 'AUDITKIT_SIGNING_KEY';

export interface SigningKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
  /** Key id: the first 16 hex digits of SHA-256 over the public key's DER (SPKI). */
  kid: string;
}

/** Key id of a key pair, from its public half (a private key is accepted too). */
export function keyId(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

export function generateSigningKeys(): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    kid: keyId(publicKey),
  };
}

/** PEM text as given, or the contents of the file it names; `label` says where it came from, for errors. */
function pemText(value: string, what: string): { pem: string; label: string } {
  if (value.includes('-----BEGIN')) return { pem: value, label: what };
  // The value is not echoed: it may be a mangled key.
  if (!existsSync(value))
    throw new TypeError(
      `auditkit: ${what} must be PEM text or the path of a PEM file, got a string of ${value.length} characters that is neither`,
    );
  const pem = readFileSync(value, 'utf8');
  const label = `${what} (${value})`;
  if (!pem.includes('-----BEGIN'))
    throw new TypeError(
      `auditkit: ${label} is not a PEM key (no "-----BEGIN" line); pass the ${what === 'public key' ? '.pub' : '.key'} file that \`auditkit keys generate\` wrote`,
    );
  return { pem, label };
}

function requireEd25519(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519')
    throw new TypeError(`auditkit: ${what} must be an Ed25519 key, got ${key.asymmetricKeyType ?? key.type}`);
  return key;
}

/** The checkpoint signing key from the option or `AUDITKIT_SIGNING_KEY`; undefined when neither is set. */
export function loadSigningKey(option: string | KeyObject | undefined): KeyObject | undefined {
  const value = option ?? process.env[SIGNING_KEY_ENV];
  if (value === undefined || value === '') return undefined;
  // Name where the key came from: a bad environment variable is not an option anyone wrote.
  const what = option === undefined ? `the ${SIGNING_KEY_ENV} environment variable` : 'integrity.signingKey';
  if (typeof value !== 'string') return requireEd25519(value, what);
  const { pem, label } = pemText(value, what);
  if (/-----BEGIN PUBLIC KEY-----/.test(pem))
    throw new TypeError(
      `auditkit: ${label} is a public key; the writers sign with the private key (the .key file), the public one is for verifying`,
    );
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new TypeError(`auditkit: ${label} is not a PEM private key that can be read`);
  }
  return requireEd25519(key, what);
}

/** Public keys for verification, by key id. Accepts PEM text, PEM file paths, or KeyObjects (private keys too). */
export function loadPublicKeys(keys: ReadonlyArray<string | KeyObject>): Map<string, KeyObject> {
  const out = new Map<string, KeyObject>();
  for (const k of keys) {
    let key: KeyObject;
    if (typeof k === 'string') {
      const { pem, label } = pemText(k, 'public key');
      try {
        key = pem.includes('PRIVATE KEY') ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem);
      } catch {
        throw new TypeError(`auditkit: ${label} is not a PEM key that can be read`);
      }
    } else key = k.type === 'private' ? createPublicKey(k) : k;
    requireEd25519(key, 'public key');
    out.set(keyId(key), key);
  }
  return out;
}
