import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectedHash, merkle, proveEvent } from '@auditkit/core';
import vectors from '../../core/test/fixtures/rfc6962-vectors.json';
import { importPublicKey, type PinnedKey } from '../ui/src/verify/ed25519';
import { leafHash } from '../ui/src/verify/hashing';
import { verifyInclusion } from '../ui/src/verify/merkle';
import { eventHash, type InclusionProof, type SealedEvent, verifyEvent } from '../ui/src/verify/verify-event';
import { type RunningConsole, startConsole } from './helpers';

// The browser's verifier runs here on Node's WebCrypto, which implements the same algorithms.
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

describe("the browser's verifier against core's vectors", () => {
  it('leaf-hashes and walks audit paths to the RFC 6962 reference roots', async () => {
    const leaves = vectors.leaves.map(unhex);
    for (let n = 1; n <= leaves.length; n++) {
      const root = unhex(vectors.roots[n]!);
      for (let i = 0; i < n; i++) {
        const path = merkle.inclusionProof(leaves.slice(0, n), i);
        const leaf = await leafHash(leaves[i]!);
        expect(Buffer.from(leaf)).toEqual(Buffer.from(merkle.leafHash(leaves[i]!)));
        expect(await verifyInclusion(leaf, i, n, path, root)).toBe(true);
        if (n > 1) expect(await verifyInclusion(leaf, (i + 1) % n, n, path, root)).toBe(false);
      }
    }
    const path5 = vectors.paths['5'].map(unhex);
    expect(await verifyInclusion(await leafHash(leaves[5]!), 5, 8, path5, unhex(vectors.roots[8]!))).toBe(
      true,
    );
  });
});

describe('verifyEvent over a real trail', () => {
  let c: RunningConsole;
  let ids: string[];
  let pinned: PinnedKey;
  const proofOf = async (id: string) =>
    (await c.api(`/api/proof/${id}`, { key: c.keys.all })).json as InclusionProof;
  const eventOf = async (id: string) =>
    (await c.api(`/api/events/${id}`, { key: c.keys.all })).json.event as SealedEvent;

  beforeAll(async () => {
    c = await startConsole({ keys: { all: { tenant: '*', scopes: ['read'] } } });
    ids = await c.seed(
      Array.from({ length: 11 }, (_, i) => ({
        type: 'invoice.update',
        actor: { id: 'u-ann' },
        changes: { before: { total: i, note: 'é€\u2028' }, after: { total: i + 1, lines: [1, 2.5, 1e21] } },
        details: { i, nested: { z: 1, a: [true, null] } },
      })),
    );
    pinned = await importPublicKey(c.signing.publicKeyPem);
  });
  afterAll(() => c.close());

  it('recomputes the hash core seals with, from the event as the API serves it', async () => {
    for (const id of ids.slice(0, 3)) {
      const event = await eventOf(id);
      expect(event.integrity!.v).toBe(2);
      expect(await eventHash(event)).toBe(event.integrity!.hash);
      expect(await eventHash(event)).toBe(expectedHash(event as never));
    }
  });

  it('names the key id core names and verifies a good event end to end', async () => {
    expect(pinned.kid).toBe(c.signing.kid);
    const verdict = await verifyEvent(await eventOf(ids[2]!), await proofOf(ids[2]!), [pinned]);
    expect(verdict).toMatchObject({ status: 'verified', kid: c.signing.kid });
  });

  it('fails an event changed after sealing, even when the server sends a proof for it', async () => {
    const event = await eventOf(ids[1]!);
    const changed = { ...event, details: { ...(event.details as object), i: 99 } };
    const lyingProof = { ...(await proofOf(ids[1]!)), event: changed };
    expect(await verifyEvent(changed, lyingProof, [pinned])).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/does not match its hash/),
    });
  });

  it('fails a proof of another event, a forged path and a forged signature; leaves an unpinned key unproven', async () => {
    const event = await eventOf(ids[3]!);
    const proof = await proofOf(ids[3]!);
    const other = await proofOf(ids[0]!);
    expect((await verifyEvent(event, other, [pinned])).status).toBe('failed');
    const forgedPath = {
      ...proof,
      proof: proof.proof.map((p, i) => (i === 0 ? p.replace(/^./, (ch) => (ch === 'a' ? 'b' : 'a')) : p)),
    };
    expect(await verifyEvent(event, forgedPath, [pinned])).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/audit path/),
    });
    const cp = proof.checkpoint;
    const forgedRoot = {
      ...proof,
      checkpoint: { ...cp, checkpoint: { ...cp.checkpoint, size: cp.checkpoint.size + 1 } },
    };
    expect(await verifyEvent(event, forgedRoot, [pinned])).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/signature/),
    });
    const stranger = await importPublicKey(
      (await import('@auditkit/core')).generateSigningKeys().publicKeyPem,
    );
    expect((await verifyEvent(event, proof, [stranger])).status).toBe('unproven');
  });

  it('fails an event whose seal was relabelled as version 1', async () => {
    const event = await eventOf(ids[4]!);
    const { v: _v, ...seal } = event.integrity!;
    const relabelled = { ...event, integrity: seal };
    expect(
      await verifyEvent(relabelled, { ...(await proofOf(ids[4]!)), event: relabelled }, [pinned]),
    ).toMatchObject({ status: 'failed', reason: expect.stringMatching(/does not match its hash/) });
  });

  it('refuses text that is not an Ed25519 PEM public key, saying so', async () => {
    await expect(importPublicKey('hello')).rejects.toThrow(/PEM public key/);
  });
});

describe('verifyEvent over a trail sealed under seal version 1', () => {
  const fixture = join(__dirname, '..', '..', 'core', 'test', 'fixtures', 'seal-v1');
  const trail = join(fixture, 'audit.jsonl');
  const lines = readFileSync(trail, 'utf8').trimEnd().split('\n');

  it('verifies its events against the pinned key, and fails one relabelled as version 2', async () => {
    const pinned = await importPublicKey(readFileSync(join(fixture, 'signing.pub'), 'utf8'));
    // All but the final checkpoint, which no checkpoint covers.
    for (const line of lines.slice(0, -1)) {
      const event = JSON.parse(line) as SealedEvent;
      const proof = JSON.parse(JSON.stringify(await proveEvent([trail], event.id))) as InclusionProof;
      expect(await verifyEvent(event, proof, [pinned])).toMatchObject({ status: 'verified' });
    }
    const event = JSON.parse(lines[1]!) as SealedEvent;
    const relabelled = { ...event, integrity: { ...event.integrity!, v: 2 as const } };
    const proof = await proveEvent([trail], event.id);
    expect(await verifyEvent(relabelled, { ...proof, event: relabelled }, [pinned])).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/does not match its hash/),
    });
  });
});
