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
 * checked, and enters the tree, by its own version. `unsignedHash` (digest.ts) and `eventLeaf`
 * (merkle.ts) compute them; this file stays free of Node's APIs, as the dashboard's browser verifier
 * bundles it too.
 */
export type SealVersion = 1 | 2;

/** The version this build seals with. Its member, `"v":2`, is written where the seal's keys sort it: last. */
export const SEAL_VERSION = 2 satisfies SealVersion;

/** The version an event's seal names, or undefined for one this build does not know. */
export function sealVersion(integrity: { v?: unknown }): SealVersion | undefined {
  const v = integrity.v;
  return v === undefined ? 1 : v === 2 ? 2 : undefined;
}
