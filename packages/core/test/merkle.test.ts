import { merkle } from '@auditkit/core';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

// RFC 6962 reference data (certificate-transparency test vectors): leaf inputs and the tree head
// for every size 0..8.
const CT_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(unhex);
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

describe('merkle (RFC 6962)', () => {
  it('matches the reference tree heads for every size 0..8', () => {
    for (let n = 0; n <= 8; n++) expect(hex(merkle.root(CT_LEAVES.slice(0, n)))).toBe(CT_ROOTS[n]);
  });

  it('matches the reference audit paths and consistency proof', () => {
    expect(merkle.inclusionProof(CT_LEAVES, 0).map(hex)).toEqual([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
    expect(merkle.inclusionProof(CT_LEAVES, 5).map(hex)).toEqual([
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
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
