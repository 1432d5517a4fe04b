import { merkle } from '@auditkit/core';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const leaves = Array.from({ length: 140 }, (_, i) => merkle.leafHash(Uint8Array.of(i, i >> 8, 3)));

describe('MerkleLevels (cached subtrees for many proofs of one chain)', () => {
  const levels = new merkle.MerkleLevels(leaves);

  it('gives the same roots and audit paths as the direct construction, for every size and leaf', () => {
    for (let size = 1; size <= leaves.length; size++) {
      const prefix = leaves.slice(0, size);
      expect(hex(levels.root(size))).toBe(hex(merkle.rootOfLeafHashes(prefix)));
      for (let i = 0; i < size; i += size > 40 ? 7 : 1)
        expect(levels.inclusionProof(i, size).map(hex)).toEqual(
          merkle.inclusionProofOfLeafHashes(prefix, i).map(hex),
        );
    }
  });

  it('gives paths that verify against the root, and refuses indexes and sizes out of range', () => {
    const root = levels.root(100);
    expect(merkle.verifyInclusion(leaves[77]!, 77, 100, levels.inclusionProof(77, 100), root)).toBe(true);
    expect(() => levels.inclusionProof(100, 100)).toThrow(RangeError);
    expect(() => levels.inclusionProof(0, 141)).toThrow(RangeError);
    expect(() => levels.root(-1)).toThrow(RangeError);
    expect(hex(new merkle.MerkleLevels([]).root())).toBe(hex(merkle.rootOfLeafHashes([])));
  });
});
