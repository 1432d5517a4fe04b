/**
 * Checks one event the way an auditor would, trusting nothing the server says about it: the hash
 * recomputed from the event's canonical JSON, the inclusion proof's audit path up to the Merkle
 * root of a checkpoint, and that checkpoint's Ed25519 signature under a key the user pinned. The
 * proof must carry the very event shown, byte for byte in canonical form.
 */
// The seal's own canonicalizer and version rule: dependency-free source, bundled into the page.
import { canonicalize } from '../../../../core/src/seal/canonical';
import { sealVersion } from '../../../../core/src/seal/version';
import type { PinnedKey } from './ed25519';
import { verifySignature } from './ed25519';
import { bytesToHex, hexToBytes, leafHash, sha256, utf8 } from './hashing';
import { verifyInclusion } from './merkle';

export interface SealedEvent {
  id: string;
  /** `v`: the seal version, 2; absent for version 1 (see core's seal/version.ts). */
  integrity?: { chain: string; seq: number; prev: string | null; hash: string; v?: 2 };
}

export interface Checkpoint {
  id: string;
  chain: string;
  seq: number;
  hash: string;
  merkleRoot: string;
  size: number;
  time: string;
  final?: true;
}

export interface InclusionProof {
  event: SealedEvent;
  index: number;
  proof: string[];
  checkpoint: { checkpoint: Checkpoint; alg: string; kid: string; signature: string };
}

export type Verdict =
  | { status: 'verified'; checkpoint: Checkpoint; kid: string }
  | { status: 'failed'; reason: string }
  | { status: 'unproven'; reason: string };

/**
 * The hash a sealed event must carry, from its canonical JSON without `integrity.hash`: under seal
 * version 2 SHA-256(0x00 ‖ that JSON), its RFC 6962 leaf; under 1 SHA-256 of the JSON alone.
 * Undefined for a version this page does not know.
 */
export async function eventHash(event: SealedEvent): Promise<string | undefined> {
  const i = event.integrity!;
  const version = sealVersion(i);
  if (version === undefined) return undefined;
  const unsigned = { ...event, integrity: { chain: i.chain, prev: i.prev, seq: i.seq, v: i.v } };
  const text = utf8(canonicalize(unsigned));
  return bytesToHex(await (version === 2 ? leafHash(text) : sha256(text)));
}

/** Whether the event's stored hash is the one its content gives. */
export async function hashMatches(event: SealedEvent): Promise<boolean> {
  return event.integrity !== undefined && (await eventHash(event)) === event.integrity.hash;
}

/** The event's Merkle leaf: its hash under seal version 2, SHA-256(0x00 ‖ hash) under 1. */
function eventLeaf(i: NonNullable<SealedEvent['integrity']>): Promise<Uint8Array> | Uint8Array {
  return i.v === 2 ? hexToBytes(i.hash) : leafHash(hexToBytes(i.hash));
}

/** Verifies `shown` with `proof` (as GET /api/proof/:id gives it) against the pinned keys. */
export async function verifyEvent(
  shown: SealedEvent,
  proof: InclusionProof,
  keys: readonly PinnedKey[],
): Promise<Verdict> {
  const i = shown.integrity;
  if (!i) return { status: 'failed', reason: 'the event carries no seal' };
  if (!(await hashMatches(shown)))
    return { status: 'failed', reason: 'the event does not match its hash: it was changed after sealing' };
  if (canonicalize(proof.event) !== canonicalize(shown))
    return { status: 'failed', reason: 'the proof is for a different version of this event' };
  const cp = proof.checkpoint?.checkpoint;
  if (!cp) return { status: 'failed', reason: 'the proof carries no checkpoint' };
  if (cp.chain !== i.chain) return { status: 'failed', reason: 'the checkpoint is of another chain' };
  if (proof.index !== i.seq)
    return { status: 'failed', reason: "the proof's index is not the event's place in its chain" };
  const pinned = keys.find((k) => k.kid === proof.checkpoint.kid);
  if (!pinned)
    return {
      status: 'unproven',
      reason: `the checkpoint is signed with key ${proof.checkpoint.kid}, which is not pinned`,
    };
  if (!(await verifySignature(pinned.key, proof.checkpoint.signature, utf8(canonicalize(cp)))))
    return { status: 'failed', reason: 'the checkpoint signature does not verify under the pinned key' };
  let path: Uint8Array[];
  try {
    path = proof.proof.map(hexToBytes);
  } catch {
    return { status: 'failed', reason: 'the audit path is not hex' };
  }
  const leaf = await eventLeaf(i);
  if (!(await verifyInclusion(leaf, proof.index, cp.size, path, hexToBytes(cp.merkleRoot))))
    return { status: 'failed', reason: "the audit path does not lead to the checkpoint's Merkle root" };
  return { status: 'verified', checkpoint: cp, kid: pinned.kid };
}
