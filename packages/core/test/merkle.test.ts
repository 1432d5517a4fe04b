import { merkle } from '@auditkit/core';
import vectors from './fixtures/rfc6962-vectors.json';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

// RFC 6962 reference data (certificate-transparency test vectors), shared with the browser's verifier.
const CT_LEAVES = vectors.leaves.map(unhex);
const CT_ROOTS = vectors.roots;

describe('merkle (RFC 6962)', () => {
  it('matches the reference tree heads for every size 0..8', () => {
    for (let n = 0; n <= 8; n++) expect(hex(merkle.root(CT_LEAVES.slice(0, n)))).toBe(CT_ROOTS[n]);
  });

  it('matches the reference audit paths and consistency proof', () => {
    expect(merkle.inclusionProof(CT_LEAVES, 0).map(hex)).toEqual(vectors.paths['0']);
    expect(merkle.inclusionProof(CT_LEAVES, 5).map(hex)).toEqual(vectors.paths['5']);
    expect(merkle.consistencyProof(CT_LEAVES, 2).map(hex).slice(0, 2)).toEqual([
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
  });

  const many = Array.from({ length: 300 }, (_, i) => Uint8Array.of(i & 0xff, i >> 8, 7));

  it('proves inclusion of every leaf in every tree size up to 100, and rejects wrong claims', () => {
    for (let n = 1; n <= 100; n++) {
      const leaves = many.slice(0, n);
      const root = merkle.root(leaves);
      for (let i = 0; i < n; i++) {
        const proof = merkle.inclusionProof(leaves, i);
        const leaf = merkle.leafHash(leaves[i]!);
        expect(merkle.verifyInclusion(leaf, i, n, proof, root)).toBe(true);
        if (n > 1) {
          expect(merkle.verifyInclusion(leaf, (i + 1) % n, n, proof, root)).toBe(false);
          expect(
            merkle.verifyInclusion(merkle.leafHash(Uint8Array.of(255, 255, 255)), i, n, proof, root),
          ).toBe(false);
        }
      }
    }
  });

  it('proves consistency between every pair of sizes up to 70, and rejects a tree that was rewritten', () => {
    for (let n = 1; n <= 70; n++) {
      const newRoot = merkle.root(many.slice(0, n));
      for (let m = 1; m <= n; m++) {
        const oldRoot = merkle.root(many.slice(0, m));
        const proof = merkle.consistencyProof(many.slice(0, n), m);
        expect(merkle.verifyConsistency(m, n, oldRoot, newRoot, proof)).toBe(true);
        if (m < n) {
          const rewritten = merkle.root([Uint8Array.of(9), ...many.slice(1, m)]);
          expect(merkle.verifyConsistency(m, n, rewritten, newRoot, proof)).toBe(false);
        }
      }
    }
  });

  it('checks larger trees at sampled indexes up to 300 leaves', () => {
    const root = merkle.root(many);
    for (const i of [0, 1, 127, 128, 255, 256, 299]) {
      expect(
        merkle.verifyInclusion(merkle.leafHash(many[i]!), i, 300, merkle.inclusionProof(many, i), root),
      ).toBe(true);
    }
    expect(
      merkle.verifyConsistency(
        256,
        300,
        merkle.root(many.slice(0, 256)),
        root,
        merkle.consistencyProof(many, 256),
      ),
    ).toBe(true);
  });

  it('keeps a growing tree in O(log n) frontier nodes with the same root as the full tree', () => {
    const frontier = new merkle.MerkleFrontier();
    for (let n = 1; n <= 300; n++) {
      frontier.append(merkle.leafHash(many[n - 1]!));
      if (n % 37 === 0 || n === 256 || n === 300)
        expect(hex(frontier.root())).toBe(hex(merkle.root(many.slice(0, n))));
      expect(frontier.nodes.length).toBeLessThanOrEqual(Math.ceil(Math.log2(n + 1)));
    }
    const resumed = new merkle.MerkleFrontier(frontier.size, frontier.nodes);
    resumed.append(merkle.leafHash(Uint8Array.of(1)));
    frontier.append(merkle.leafHash(Uint8Array.of(1)));
    expect(hex(resumed.root())).toBe(hex(frontier.root()));
    expect(() => new merkle.MerkleFrontier(5, [])).toThrow(/5 leaves has 2 nodes/);
  });

  it('rejects out-of-range indexes and sizes', () => {
    expect(() => merkle.inclusionProof(many.slice(0, 3), 3)).toThrow(RangeError);
    expect(() => merkle.consistencyProof(many.slice(0, 3), 4)).toThrow(RangeError);
    expect(merkle.verifyInclusion(merkle.leafHash(many[0]!), 0, 0, [], merkle.root([]))).toBe(false);
    expect(merkle.verifyConsistency(4, 3, merkle.root([]), merkle.root([]), [])).toBe(false);
  });
});
