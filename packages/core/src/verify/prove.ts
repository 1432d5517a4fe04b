/**
 * Inclusion proofs: that one event is in a chain a signed checkpoint commits to, without handing
 * over any other event. The proof carries the event, its position, the Merkle audit path and the
 * signed checkpoint; `verifyInclusionProof` needs only that and a public key.
 */
import { type KeyObject, verify as verifySignature } from 'node:crypto';
import { bytesOfHex } from '../seal/digest';
import { loadPublicKeys } from '../seal/keys';
import { eventLeaf, inclusionProofOfLeafHashes, MerkleLevels, verifyInclusion } from '../seal/merkle';
import { CHECKPOINT_TYPE, type CheckpointDetails, checkpointPayload, expectedHash } from '../seal/sealer';
import { sealVersion } from '../seal/version';
import { readAuditLines } from '../sinks/tail';
import type { AuditEvent } from '../types';
import { resolveAuditFiles } from './verify';

export interface InclusionProof {
  event: AuditEvent;
  /** Position of the event in its chain (its seq). */
  index: number;
  /** Audit path, hex, leaf to root. */
  proof: string[];
  /** The signed checkpoint whose Merkle root the path leads to. */
  checkpoint: CheckpointDetails;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** `code` of the error `proveEvent` throws when there is no proof to give (no such event, no checkpoint yet). */
export const PROOF_NOT_FOUND = 'AUDITKIT_PROOF_NOT_FOUND';

const notFound = (message: string) => Object.assign(new Error(message), { code: PROOF_NOT_FOUND });

/** The Merkle leaf of a stored event, by its seal's version. */
function leafOf(i: NonNullable<AuditEvent['integrity']>): Uint8Array {
  const version = sealVersion(i);
  if (version === undefined)
    throw new Error(`chain ${i.chain} has a seal of unknown version at seq ${i.seq}: run verify first`);
  return eventLeaf(i.hash, version);
}

/**
 * Reads sealed events in stored order (any number of chains) and builds the proof of one of them
 * once the first checkpoint of its chain after it comes by.
 */
class ProofBuilder {
  readonly #leaves = new Map<string, Uint8Array[]>();
  #target: AuditEvent | undefined;

  constructor(readonly eventId: string) {}

  get found(): boolean {
    return this.#target !== undefined;
  }

  /** The proof, when `event` is the checkpoint that completes it. */
  add(event: AuditEvent): InclusionProof | undefined {
    const i = event.integrity;
    if (!i) return undefined;
    const chain = this.#leaves.get(i.chain) ?? [];
    this.#leaves.set(i.chain, chain);
    if (i.seq !== chain.length)
      throw new Error(`chain ${i.chain} is not intact at seq ${i.seq}: run verify first`);
    chain.push(leafOf(i));
    if (event.id === this.eventId) this.#target = event;
    const target = this.#target;
    if (!target || event.type !== CHECKPOINT_TYPE || i.chain !== target.integrity!.chain) return undefined;
    const checkpoint = event.details as unknown as CheckpointDetails;
    if (checkpoint.checkpoint.size <= target.integrity!.seq) return undefined;
    const covered = chain.slice(0, checkpoint.checkpoint.size);
    return {
      event: target,
      index: target.integrity!.seq,
      proof: inclusionProofOfLeafHashes(covered, target.integrity!.seq).map(hex),
      checkpoint,
    };
  }

  /** Why there is no proof, after every event was added. */
  missing(where: string): Error {
    return notFound(
      this.found
        ? `event ${this.eventId} is not covered by a signed checkpoint yet in ${where}`
        : `event ${this.eventId} is not in ${where}`,
    );
  }
}

/** Builds the proof for `eventId` against the first checkpoint after it in the given audit files. */
export async function proveEvent(paths: readonly string[], eventId: string): Promise<InclusionProof> {
  const builder = new ProofBuilder(eventId);
  for await (const l of readAuditLines(await resolveAuditFiles(paths))) {
    let event: AuditEvent;
    try {
      event = JSON.parse(l.text) as AuditEvent;
    } catch {
      continue;
    }
    const proof = builder.add(event);
    if (proof) return proof;
  }
  throw builder.missing(paths.join(', '));
}

/**
 * Builds the proof for a stored event from its chain's events (in `seq` order), as
 * `store.chainEvents(chain)` reads them: for any store, not only files.
 */
export async function proveChainEvent(
  events: AsyncIterable<AuditEvent>,
  eventId: string,
): Promise<InclusionProof> {
  const builder = new ProofBuilder(eventId);
  for await (const event of events) {
    const proof = builder.add(event);
    if (proof) return proof;
  }
  throw builder.missing('this chain');
}

/**
 * Proofs for many events of one chain (its events in `seq` order) from a single read: each event
 * is proven against the first checkpoint after it. Events no checkpoint covers yet are absent
 * from the result. For reports, which prove every event they list.
 */
export async function proveChainEvents(
  events: AsyncIterable<AuditEvent>,
  ids: ReadonlySet<string>,
): Promise<Map<string, InclusionProof>> {
  const leaves: Uint8Array[] = [];
  let waiting: AuditEvent[] = [];
  const covered: Array<{ event: AuditEvent; checkpoint: CheckpointDetails }> = [];
  for await (const event of events) {
    const i = event.integrity;
    if (!i) continue;
    if (i.seq !== leaves.length)
      throw new Error(`chain ${i.chain} is not intact at seq ${i.seq}: run verify first`);
    leaves.push(leafOf(i));
    if (ids.has(event.id)) waiting.push(event);
    if (event.type !== CHECKPOINT_TYPE || waiting.length === 0) continue;
    const checkpoint = event.details as unknown as CheckpointDetails;
    const still: AuditEvent[] = [];
    for (const target of waiting)
      if (checkpoint.checkpoint.size > target.integrity!.seq) covered.push({ event: target, checkpoint });
      else still.push(target);
    waiting = still;
  }
  const levels = new MerkleLevels(leaves);
  const out = new Map<string, InclusionProof>();
  for (const { event, checkpoint } of covered) {
    const index = event.integrity!.seq;
    out.set(event.id, {
      event,
      index,
      proof: levels.inclusionProof(index, checkpoint.checkpoint.size).map(hex),
      checkpoint,
    });
  }
  return out;
}

/** Checks a proof with nothing but the proof and the public keys. */
export function verifyInclusionProof(
  p: InclusionProof,
  publicKeys: ReadonlyArray<string | KeyObject>,
): { ok: true } | { ok: false; reason: string } {
  const cp = p.checkpoint?.checkpoint;
  const i = p.event?.integrity;
  if (!cp || !i) return { ok: false, reason: 'the proof lacks its event seal or checkpoint' };
  const version = sealVersion(i);
  if (version === undefined)
    return {
      ok: false,
      reason: `the event's seal names version ${String(JSON.stringify(i.v))}, which is not one this build knows`,
    };
  if (expectedHash(p.event) !== i.hash) return { ok: false, reason: 'the event does not match its hash' };
  if (i.chain !== cp.chain) return { ok: false, reason: 'the checkpoint is of another chain' };
  if (p.index !== i.seq) return { ok: false, reason: "the index is not the event's position in its chain" };
  const key = loadPublicKeys(publicKeys).get(p.checkpoint.kid);
  if (!key)
    return {
      ok: false,
      reason: `the checkpoint is signed with key ${p.checkpoint.kid}, which is not among the keys given`,
    };
  if (!verifySignature(null, checkpointPayload(cp), key, Buffer.from(p.checkpoint.signature, 'base64')))
    return { ok: false, reason: 'the checkpoint signature does not verify' };
  if (
    !verifyInclusion(
      eventLeaf(i.hash, version),
      p.index,
      cp.size,
      p.proof.map(bytesOfHex),
      bytesOfHex(cp.merkleRoot),
    )
  )
    return { ok: false, reason: 'the audit path does not lead to the checkpoint Merkle root' };
  return { ok: true };
}
