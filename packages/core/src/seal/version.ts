/**
 * Seal versions: what an event's `integrity.hash` is the SHA-256 of, and what the event's leaf in
 * its chain's RFC 6962 Merkle tree is. The version is a member of the seal (`integrity.v`), so it
 * is inside the hashed text: relabelling an event changes the hash it must carry.
 *
 * - 1 (no `v`): hash = SHA-256(canonical JSON of the event without `integrity.hash`);
 *   leaf = SHA-256(0x00 ‖ hash).
 * - 2 (`"v":2`): hash = SHA-256(0x00 ‖ that canonical JSON): the RFC 6962 leaf of the event's
 *   text itself, so the leaf costs no hash of its own.
 *
 * A chain may hold both (a writer that resumed a chain an older build wrote): each event is
 * checked, and enters the tree, by its own version.
 */
import { bytesOfHex, sha256Hex } from './digest';
import { leafHashOfHex } from './merkle';

export type SealVersion = 1 | 2;

/** The version this build seals with. Its member, `"v":2`, is written where the seal's keys sort it: last. */
export const SEAL_VERSION = 2 satisfies SealVersion;

/** The version an event's seal names, or undefined for one this build does not know. */
export function sealVersion(integrity: { v?: unknown }): SealVersion | undefined {
  const v = integrity.v;
  return v === undefined ? 1 : v === 2 ? 2 : undefined;
}

/** The hash of an event's canonical JSON without `integrity.hash`, under `version`. */
export function unsignedHash(unsigned: string, version: SealVersion): string {
  // U+0000 is the one byte 0x00 in UTF-8: the RFC 6962 leaf prefix.
  return sha256Hex(version === 2 ? `\0${unsigned}` : unsigned);
}

/** The Merkle leaf of a sealed event, from its hash (hex). */
export function eventLeaf(hash: string, version: SealVersion): Uint8Array {
  return version === 2 ? bytesOfHex(hash) : leafHashOfHex(hash);
}
