/**
 * SHA-256 for the seal's hot path. Node's one-shot `crypto.hash` costs about 0.3 µs for a 65-byte
 * Merkle node when the digest comes back as a string, and over 1 µs when it comes back as a Buffer
 * (allocating one is most of the call). So digests travel here as 32-character latin1 strings
 * ("binary": one character per byte), written into reused input buffers for the next hash.
 */
import * as crypto from 'node:crypto';
import type { SealVersion } from './version';

type OneShot = (algorithm: string, data: string | Uint8Array, encoding: string) => string;
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

/** SHA-256 of `data` as hex or latin1 ('binary'); createHash where Node lacks the one-shot. */
function digest(data: string | Uint8Array, encoding: 'hex' | 'binary'): string {
  if (oneShot) return oneShot('sha256', data, encoding);
  return crypto.createHash('sha256').update(data).digest(encoding);
}

/** SHA-256 of a string (as UTF-8) or bytes, as hex. */
export function sha256Hex(data: string | Uint8Array): string {
  return digest(data, 'hex');
}

/** The hash of an event's canonical JSON without `integrity.hash`, under `version` (see version.ts). */
export function unsignedHash(unsigned: string, version: SealVersion): string {
  // U+0000 is the one byte 0x00 in UTF-8: the RFC 6962 leaf prefix.
  return sha256Hex(version === 2 ? `\0${unsigned}` : unsigned);
}

/** A 32-byte digest as latin1 text. */
export type Digest = string;

// Hashing is synchronous: one input buffer of each size serves every call.
const leafInput = Buffer.alloc(33);
const nodeInput = Buffer.alloc(65);
nodeInput[0] = 0x01;

/** RFC 6962 leaf SHA-256(0x00 ‖ the 32 bytes `hex` spells), or undefined when `hex` is not 64 hex digits. */
export function leafOfHex(hex: string): Digest | undefined {
  if (hex.length !== 64 || leafInput.write(hex, 1, 'hex') !== 32) return undefined;
  return digest(leafInput, 'binary');
}

const hexInput = Buffer.alloc(32);

/** The 32 bytes `hex` spells as a digest, or undefined when `hex` is not 64 hex digits. */
export function digestOfHex(hex: string): Digest | undefined {
  if (hex.length !== 64 || hexInput.write(hex, 0, 'hex') !== 32) return undefined;
  return hexInput.toString('latin1', 0, 32);
}

/** RFC 6962 node SHA-256(0x01 ‖ left ‖ right). */
export function nodeOf(left: Digest, right: Digest): Digest {
  nodeInput.write(left, 1, 'latin1');
  nodeInput.write(right, 33, 'latin1');
  return digest(nodeInput, 'binary');
}

export const digestOfBytes = (bytes: Uint8Array): Digest => Buffer.from(bytes).toString('latin1');

export const bytesOfDigest = (d: Digest): Uint8Array => new Uint8Array(Buffer.from(d, 'latin1'));

/** The bytes `hex` spells (as Buffer.from reads hex: up to the first character that is not). */
export const bytesOfHex = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));

export const hexOfDigest = (d: Digest): string => Buffer.from(d, 'latin1').toString('hex');
