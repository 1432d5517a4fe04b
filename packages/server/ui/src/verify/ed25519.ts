/** Ed25519 public keys pinned by the user (PEM, SPKI) and signature checks, through WebCrypto. */
import { bytesToHex, sha256 } from './hashing';

export interface PinnedKey {
  /** Key id as core names it: the first 16 hex digits of SHA-256 over the SPKI DER. */
  kid: string;
  key: CryptoKey;
}

function pemToDer(pem: string): Uint8Array {
  const match = /-----BEGIN PUBLIC KEY-----([\s\S]+?)-----END PUBLIC KEY-----/.exec(pem);
  if (!match) throw new TypeError('expected a PEM public key (-----BEGIN PUBLIC KEY-----)');
  const binary = atob(match[1]!.replace(/\s+/g, ''));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Imports a pasted PEM public key; throws a TypeError naming what is wrong with it. */
export async function importPublicKey(pem: string): Promise<PinnedKey> {
  const der = pemToDer(pem);
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey('spki', der as BufferSource, { name: 'Ed25519' }, false, ['verify']);
  } catch (error) {
    throw new TypeError(`not an Ed25519 public key: ${(error as Error).message}`);
  }
  return { kid: bytesToHex(await sha256(der)).slice(0, 16), key };
}

export async function verifySignature(
  key: CryptoKey,
  signatureBase64: string,
  data: Uint8Array,
): Promise<boolean> {
  let signature: Uint8Array;
  try {
    const binary = atob(signatureBase64);
    signature = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return false;
  }
  return crypto.subtle.verify({ name: 'Ed25519' }, key, signature as BufferSource, data as BufferSource);
}
