/**
 * The signed manifest of an export: what was exported (filter, tenant, order), how much (count,
 * first and last id, bytes) and the SHA-256 of exactly the bytes sent, signed with Ed25519 over
 * its canonical JSON. With the file, the manifest and the console's public key, anyone can check
 * offline that the export is complete and unchanged (`auditkit verify-export`).
 */
import { createHash, type KeyObject, sign, verify } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { canonicalize, keyId, loadPublicKeys } from '@auditkit/core';
import type { ExportFormat } from './formats';

export interface ExportManifest {
  v: 1;
  exportId: string;
  format: ExportFormat;
  /** The filter text as given (empty: everything the tenant may see). */
  filter: string;
  /** The tenant wall the export ran in; null for a key bound to all tenants. */
  tenant: string | null;
  order: 'asc' | 'desc';
  /** True when every matching event was sent; an interrupted export's manifest is never signed. */
  complete: boolean;
  count: number;
  firstId: string | null;
  lastId: string | null;
  bytes: number;
  /** SHA-256 (hex) of the exported bytes, exactly as sent. */
  sha256: string;
  startedAt: string;
  finishedAt: string;
  /** Ed25519 over the canonical JSON of every other field; absent without a signing key. */
  alg?: 'Ed25519';
  kid?: string;
  signature?: string;
}

type Unsigned = Omit<ExportManifest, 'alg' | 'kid' | 'signature'>;

function payload(manifest: Unsigned): Buffer {
  const { alg: _a, kid: _k, signature: _s, ...fields } = manifest as ExportManifest;
  return Buffer.from(canonicalize(fields), 'utf8');
}

export function signManifest(manifest: Unsigned, key: KeyObject | undefined): ExportManifest {
  if (!key || !manifest.complete) return { ...manifest };
  return {
    ...manifest,
    alg: 'Ed25519',
    kid: keyId(key),
    signature: sign(null, payload(manifest), key).toString('base64'),
  };
}

export type ManifestCheck = { ok: true; manifest: ExportManifest } | { ok: false; reason: string };

/** Checks an export file against its manifest with nothing but the console's public key(s). */
export async function verifyExportManifest(
  file: string | Buffer,
  manifest: ExportManifest,
  publicKeys: ReadonlyArray<string | KeyObject>,
): Promise<ManifestCheck> {
  if (manifest?.v !== 1 || typeof manifest.sha256 !== 'string')
    return { ok: false, reason: 'not an auditkit export manifest' };
  if (!manifest.complete) return { ok: false, reason: 'the manifest says the export was interrupted' };
  if (!manifest.signature || !manifest.kid) return { ok: false, reason: 'the manifest is not signed' };
  const key = loadPublicKeys(publicKeys).get(manifest.kid);
  if (!key)
    return { ok: false, reason: `the manifest is signed with key ${manifest.kid}, not among the keys given` };
  if (!verify(null, payload(manifest), key, Buffer.from(manifest.signature, 'base64')))
    return { ok: false, reason: 'the manifest signature does not verify: the manifest was altered' };
  const { bytes, sha256 } = await digest(file);
  if (bytes !== manifest.bytes)
    return { ok: false, reason: `the file has ${bytes} bytes, the manifest says ${manifest.bytes}` };
  if (sha256 !== manifest.sha256)
    return { ok: false, reason: 'the file does not match the SHA-256 in the manifest: it was changed' };
  return { ok: true, manifest };
}

/** Size and SHA-256 of a file, read as a stream (exports can be larger than memory). */
async function digest(file: string | Buffer): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  if (Buffer.isBuffer(file)) return { bytes: file.length, sha256: hash.update(file).digest('hex') };
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    bytes += (chunk as Buffer).length;
    hash.update(chunk as Buffer);
  }
  return { bytes, sha256: hash.digest('hex') };
}
