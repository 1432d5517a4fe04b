/**
 * RFC 6962 Merkle trees (the Certificate Transparency construction): leaf = SHA-256(0x00 ‖ data),
 * node = SHA-256(0x01 ‖ left ‖ right), a tree of n leaves split at the largest power of two below
 * n. Indexes are 0-based; hashes, roots and proof entries are 32-byte Uint8Arrays; `leaves` are the
 * raw leaf inputs (the functions apply the 0x00 prefix).
 */
import * as crypto from 'node:crypto';
import {
  bytesOfDigest,
  bytesOfHex,
  type Digest,
  digestOfBytes,
  digestOfHex,
  hexOfDigest,
  leafOfHex,
  nodeOf,
} from './digest';
import type { SealVersion } from './version';

export { sha256Hex } from './digest';

type OneShot = (algorithm: string, data: string | Uint8Array, encoding: string) => string | Buffer;
// One-shot hashing (Node ≥ 20.12) costs about half of createHash().update().digest().
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

function sha256(data: Uint8Array): Uint8Array {
  const digest = oneShot
    ? (oneShot('sha256', data, 'buffer') as Buffer)
    : crypto.createHash('sha256').update(data).digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.length);
}

// Hash inputs are assembled in these reused buffers (hashing is synchronous): one leaf or node
// per sealed event costs no allocation but the digest.
const leafInput = Buffer.alloc(33);
const nodeInput = Buffer.alloc(65);
nodeInput[0] = 0x01;

/** SHA-256(0x00 ‖ data). */
export function leafHash(data: Uint8Array): Uint8Array {
  if (data.length !== 32) return sha256(Buffer.concat([leafInput.subarray(0, 1), data]));
  leafInput.set(data, 1);
  return sha256(leafInput);
}

/** SHA-256(0x00 ‖ the 32 bytes `hex` spells): the leaf of an event sealed under version 1, from its hash. */
export function leafHashOfHex(hex: string): Uint8Array {
  if (hex.length !== 64 || leafInput.write(hex, 1, 'hex') !== 32) return leafHash(bytesOfHex(hex));
  return sha256(leafInput);
}

/** The Merkle leaf of a sealed event, from its hash (hex), under its seal `version` (see version.ts). */
export function eventLeaf(hash: string, version: SealVersion): Uint8Array {
  return version === 2 ? bytesOfHex(hash) : leafHashOfHex(hash);
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== 32 || right.length !== 32)
    return sha256(Buffer.concat([nodeInput.subarray(0, 1), left, right]));
  nodeInput.set(left, 1);
  nodeInput.set(right, 33);
  return sha256(nodeInput);
}

/** The largest power of two strictly below n (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function hashRange(hashes: readonly Uint8Array[], from: number, to: number): Uint8Array {
  const n = to - from;
  if (n === 0) return sha256(new Uint8Array(0));
  if (n === 1) return hashes[from]!;
  const k = split(n);
  return nodeHash(hashRange(hashes, from, from + k), hashRange(hashes, from + k, to));
}

/** Root of the tree over already-hashed leaves. */
export function rootOfLeafHashes(hashes: readonly Uint8Array[]): Uint8Array {
  return hashRange(hashes, 0, hashes.length);
}

/** MTH(D[n]): the root of the tree over `leaves` (SHA-256 of nothing for an empty tree). */
export function root(leaves: readonly Uint8Array[]): Uint8Array {
  return rootOfLeafHashes(leaves.map(leafHash));
}

function path(hashes: readonly Uint8Array[], m: number, from: number, to: number): Uint8Array[] {
  const n = to - from;
  if (n <= 1) return [];
  const k = split(n);
  return m < k
    ? [...path(hashes, m, from, from + k), hashRange(hashes, from + k, to)]
    : [...path(hashes, m - k, from + k, to), hashRange(hashes, from, from + k)];
}

/** PATH(m, D[n]) over already-hashed leaves. */
export function inclusionProofOfLeafHashes(hashes: readonly Uint8Array[], index: number): Uint8Array[] {
  if (!Number.isInteger(index) || index < 0 || index >= hashes.length)
    throw new RangeError(`leaf index ${index} is outside a tree of ${hashes.length}`);
  return path(hashes, index, 0, hashes.length);
}

/** The audit path of leaf `index` (RFC 6962 §2.1.1). */
export function inclusionProof(leaves: readonly Uint8Array[], index: number): Uint8Array[] {
  return inclusionProofOfLeafHashes(leaves.map(leafHash), index);
}

/** RFC 9162 §2.1.3.2: true when `proof` places `leafHash` at `index` of a tree of `size` with `root`. */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  rootHash: Uint8Array,
): boolean {
  if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(r, rootHash);
}

function subproof(
  hashes: readonly Uint8Array[],
  m: number,
  from: number,
  to: number,
  complete: boolean,
): Uint8Array[] {
  const n = to - from;
  if (m === n) return complete ? [] : [hashRange(hashes, from, to)];
  const k = split(n);
  return m <= k
    ? [...subproof(hashes, m, from, from + k, complete), hashRange(hashes, from + k, to)]
    : [...subproof(hashes, m - k, from + k, to, false), hashRange(hashes, from, from + k)];
}

/** PROOF(m, D[n]) over already-hashed leaves. */
export function consistencyProofOfLeafHashes(hashes: readonly Uint8Array[], oldSize: number): Uint8Array[] {
  if (!Number.isInteger(oldSize) || oldSize < 0 || oldSize > hashes.length)
    throw new RangeError(`old size ${oldSize} is outside a tree of ${hashes.length}`);
  if (oldSize === 0 || oldSize === hashes.length) return [];
  return subproof(hashes, oldSize, 0, hashes.length, true);
}

/** The consistency proof between the first `oldSize` leaves and all of them (RFC 6962 §2.1.2). */
export function consistencyProof(leaves: readonly Uint8Array[], oldSize: number): Uint8Array[] {
  return consistencyProofOfLeafHashes(leaves.map(leafHash), oldSize);
}

/** RFC 9162 §2.1.4.2: true when the tree of `newSize` with `newRoot` extends the one of `oldSize` with `oldRoot`. */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isInteger(oldSize) || !Number.isInteger(newSize) || oldSize < 0 || oldSize > newSize)
    return false;
  if (oldSize === newSize) return proof.length === 0 && equal(oldRoot, newRoot);
  if (oldSize === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  let p = [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  // When the old tree is a complete subtree, its root is the first node of the path.
  if ((oldSize & (oldSize - 1)) === 0) p = [oldRoot, ...p];
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = p[0]!;
  let sr = p[0]!;
  for (const c of p.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(fr, oldRoot) && equal(sr, newRoot);
}

/**
 * A growing tree kept as its frontier (the roots of its complete subtrees, largest first): O(log n)
 * memory, O(1) amortised per leaf. Its root equals `rootOfLeafHashes` over every leaf appended.
 * Nodes are kept as latin1 digests (see digest.ts): one node hash per leaf, amortised, at a
 * quarter of the cost of Buffer digests.
 */
export class MerkleFrontier {
  #size = 0;
  /** Roots of the complete subtrees, largest first. */
  #nodes: Digest[] = [];

  constructor(size = 0, nodes: readonly Uint8Array[] = []) {
    const expected = popcount(size);
    if (nodes.length !== expected)
      throw new RangeError(`a frontier of ${size} leaves has ${expected} nodes, got ${nodes.length}`);
    for (const node of nodes)
      if (node.length !== 32) throw new RangeError(`a frontier node is 32 bytes, got ${node.length}`);
    this.#size = size;
    this.#nodes = nodes.map(digestOfBytes);
  }

  get size(): number {
    return this.#size;
  }

  /** The frontier, largest subtree first: enough to resume the tree elsewhere. */
  get nodes(): readonly Uint8Array[] {
    return this.#nodes.map(bytesOfDigest);
  }

  /** The frontier as hex, largest subtree first. */
  get hexNodes(): string[] {
    return this.#nodes.map(hexOfDigest);
  }

  /** Appends an already-hashed leaf. */
  append(leaf: Uint8Array): void {
    this.appendDigest(digestOfBytes(leaf));
  }

  /**
   * Appends the leaf of a sealed event from its hash (hex): under seal version 2 the hash is the
   * leaf, under 1 the leaf is SHA-256(0x00 ‖ hash). False when the hash is not 32 bytes of hex.
   */
  appendEventHash(hex: string, version: SealVersion): boolean {
    const leaf = version === 2 ? digestOfHex(hex) : leafOfHex(hex);
    if (leaf === undefined) return false;
    this.appendDigest(leaf);
    return true;
  }

  /** Appends an already-hashed leaf given as a latin1 digest. */
  appendDigest(leaf: Digest): void {
    let node = leaf;
    let size = this.#size;
    // Merge equal-height subtrees: as many as trailing one-bits of the old size.
    while (size % 2 === 1) {
      node = nodeOf(this.#nodes.pop()!, node);
      size = Math.floor(size / 2);
    }
    this.#nodes.push(node);
    this.#size++;
  }

  root(): Uint8Array {
    if (this.#nodes.length === 0) return sha256(new Uint8Array(0));
    let r = this.#nodes[this.#nodes.length - 1]!;
    for (let i = this.#nodes.length - 2; i >= 0; i--) r = nodeOf(this.#nodes[i]!, r);
    return bytesOfDigest(r);
  }

  /** The root as hex. */
  hexRoot(): string {
    return Buffer.from(this.root()).toString('hex');
  }
}

function popcount(n: number): number {
  let c = 0;
  for (let x = n; x > 0; x = Math.floor(x / 2)) c += x % 2;
  return c;
}

/**
 * The complete aligned subtrees of a list of leaf hashes, computed once (about n hashes), so that
 * audit paths for many leaves, against trees of any size up to n, cost O(log² n) each instead of
 * O(n): for reports that prove hundreds of events of one long chain.
 */
export class MerkleLevels {
  /** levels[h][i]: the root of leaves [i·2^h, (i+1)·2^h). */
  readonly #levels: Uint8Array[][];

  constructor(leafHashes: readonly Uint8Array[]) {
    this.#levels = [leafHashes.slice()];
    for (let level = this.#levels[0]!; level.length > 1; ) {
      const up: Uint8Array[] = [];
      for (let i = 0; i + 1 < level.length; i += 2) up.push(nodeHash(level[i]!, level[i + 1]!));
      this.#levels.push(up);
      level = up;
    }
  }

  get size(): number {
    return this.#levels[0]!.length;
  }

  #range(from: number, to: number): Uint8Array {
    const n = to - from;
    if (n === 0) return sha256(new Uint8Array(0));
    // A complete subtree aligned on its size is cached.
    if ((n & (n - 1)) === 0 && from % n === 0) return this.#levels[Math.log2(n)]![from / n]!;
    const k = split(n);
    return nodeHash(this.#range(from, from + k), this.#range(from + k, to));
  }

  /** The root of the tree over the first `size` leaves. */
  root(size = this.size): Uint8Array {
    if (!Number.isInteger(size) || size < 0 || size > this.size)
      throw new RangeError(`size ${size} is outside a list of ${this.size} leaves`);
    return this.#range(0, size);
  }

  /** The audit path of leaf `index` in the tree over the first `size` leaves (RFC 6962 §2.1.1). */
  inclusionProof(index: number, size = this.size): Uint8Array[] {
    if (!Number.isInteger(size) || size < 1 || size > this.size)
      throw new RangeError(`size ${size} is outside a list of ${this.size} leaves`);
    if (!Number.isInteger(index) || index < 0 || index >= size)
      throw new RangeError(`leaf index ${index} is outside a tree of ${size}`);
    const out: Uint8Array[] = [];
    let from = 0;
    let to = size;
    // Walk down from the root, keeping the sibling of each subtree the leaf is in; leaf-first order.
    while (to - from > 1) {
      const k = split(to - from);
      if (index < from + k) {
        out.push(this.#range(from + k, to));
        to = from + k;
      } else {
        out.push(this.#range(from, from + k));
        from += k;
      }
    }
    return out.reverse();
  }
}
