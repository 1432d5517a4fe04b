import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '@auditkit/cli';
import { fileSink, verifyInclusionProof } from '@auditkit/core';
import { type RunningConsole, startConsole } from './helpers';

let c: RunningConsole;
let ids: string[];
beforeAll(async () => {
  c = await startConsole({
    keys: {
      acme: { tenant: 'acme', scopes: ['read'] },
      globex: { tenant: 'globex', scopes: ['read'] },
      all: { tenant: '*', scopes: ['read'] },
    },
  });
  ids = await c.seed(
    Array.from({ length: 12 }, (_, i) => ({
      type: 'ledger.entry',
      tenant: i < 11 ? 'acme' : 'globex',
      details: { i },
    })),
  );
});
afterAll(() => c.close());

describe('GET /api/integrity', () => {
  it('verifies each chain: events, checkpoints with signatures, nothing broken', async () => {
    const r = await c.api('/api/integrity', { key: c.keys.all });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ ok: true, signaturesChecked: true });
    const [chain] = r.json.chains;
    expect(chain).toMatchObject({ chain: c.logger.stats().integrity!.chain, ok: true, firstSeq: 0 });
    expect(chain.checkpoints).toBeGreaterThanOrEqual(2);
    expect(chain.lastCheckpoint.signatureChecked).toBe(true);
  });

  it('names the first break of a tampered store, hiding the event id from other tenants', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auditkit-console-tampered-'));
    try {
      const lines = readFileSync(join(c.dir, 'audit.jsonl'), 'utf8').split('\n');
      const at = lines.findIndex((l) => l.includes(ids[4]!));
      lines[at] = lines[at]!.replace('"i":4', '"i":40');
      writeFileSync(join(dir, 'audit.jsonl'), lines.join('\n'));
      const tampered = await startConsole({
        keys: { all: { tenant: '*', scopes: ['read'] }, globex: { tenant: 'globex', scopes: ['read'] } },
        store: () => fileSink({ path: join(dir, 'audit.jsonl') }),
      });
      try {
        const all = await tampered.api('/api/integrity', { key: tampered.keys.all });
        const broken = all.json.chains.find((ch: { ok: boolean }) => !ch.ok);
        expect(all.json.ok).toBe(false);
        expect(broken.firstBreak).toMatchObject({
          kind: 'modified',
          eventId: ids[4],
          seq: expect.any(Number),
        });
        const theirs = await tampered.api('/api/integrity', { key: tampered.keys.globex });
        const seen = theirs.json.chains.find((ch: { ok: boolean }) => !ch.ok);
        expect(seen.firstBreak.kind).toBe('modified');
        expect(seen.firstBreak.eventId).toBeUndefined();
      } finally {
        await tampered.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shows a tenant key only the chains holding its events', async () => {
    const other = await c.api('/api/integrity', { key: c.keys.globex });
    expect(other.json.chains).toHaveLength(1);
    const lone = await startConsole({ keys: { nobody: { tenant: 'initech', scopes: ['read'] } } });
    try {
      await lone.seed([{ type: 'x.y', tenant: 'acme' }]);
      expect((await lone.api('/api/integrity', { key: lone.keys.nobody })).json.chains).toEqual([]);
    } finally {
      await lone.close();
    }
  });
});

describe('GET /api/proof/:id', () => {
  it('returns a proof that `auditkit verify-proof` accepts with the public key alone', async () => {
    const r = await c.api(`/api/proof/${ids[2]}`, { key: c.keys.acme });
    expect(r.status).toBe(200);
    expect(verifyInclusionProof(r.json, [c.signing.publicKeyPem])).toEqual({ ok: true });
    const dir = mkdtempSync(join(tmpdir(), 'auditkit-proof-'));
    try {
      writeFileSync(join(dir, 'proof.json'), r.text);
      writeFileSync(join(dir, 'console.pub'), c.signing.publicKeyPem);
      let out = '';
      const code = await run(['verify-proof', join(dir, 'proof.json'), '--key', join(dir, 'console.pub')], {
        out: (t) => (out += t),
        err: () => {},
      });
      expect(code).toBe(0);
      expect(out).toMatch(new RegExp(`^OK: event ${ids[2]}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 404 for another tenant event and 409 for one no checkpoint covers yet', async () => {
    expect((await c.api(`/api/proof/${ids[11]}`, { key: c.keys.acme })).status).toBe(404);
    const [late] = await c.seed([{ type: 'ledger.entry', tenant: 'acme' }]);
    const r = await c.api(`/api/proof/${late}`, { key: c.keys.acme });
    expect(r.status).toBe(409);
    expect(r.json.message).toMatch(/not covered by a signed checkpoint yet/);
    const proofs = (await c.consoleEvents()).filter((e) => e.type === 'console.proof');
    expect(proofs.map((e) => e.outcome)).toEqual(['success', 'failure', 'success']);
  });
});
