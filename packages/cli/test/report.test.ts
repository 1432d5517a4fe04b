import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLogger, fileStore, fileSubjectKeys, generateSigningKeys } from '@auditkit/core';
import { cli } from './run-cli';

let dir: string;
let trail: string;
let subjectKeys: string;
let publicKey: string;

/** A signed trail with personal fields under each subject's own key; u-alice's key is then erased. */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-report-'));
  trail = join(dir, 'trail');
  subjectKeys = join(dir, 'subject-keys.json');
  const signing = generateSigningKeys();
  publicKey = join(dir, 'signing.pub');
  writeFileSync(publicKey, signing.publicKeyPem);
  const subjects = fileSubjectKeys(subjectKeys);
  const logger = createAuditLogger({
    service: 'shop',
    flushOnExit: false,
    sinks: [fileStore(trail)],
    protect: { personal: ['details.email'], subjects },
    integrity: { signingKey: signing.privateKeyPem, checkpointEvery: 3 },
  });
  for (const who of ['u-alice', 'u-bob'])
    logger.log({ type: 'profile.updated', actor: { id: who }, details: { email: `${who}@shop.test` } });
  logger.log({
    type: 'user.viewed',
    actor: { id: 'u-admin', roles: ['admin'] },
    resource: { type: 'user', id: 'u-bob' },
  });
  logger.log({ type: 'auth.login', outcome: 'failure', actor: { id: 'mallory' } });
  subjects.erase('u-alice', { logger, actor: { id: 'dpo' }, reason: 'erasure request' });
  await logger.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('auditkit report gdpr', () => {
  it('decrypts what the subject keys allow and lists the person as actor and as subject', async () => {
    const r = await cli(
      'report',
      'gdpr',
      '--subject',
      'u-bob',
      '--store',
      trail,
      '--subject-keys',
      subjectKeys,
      '-k',
      publicKey,
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    const [asActor, asSubject] = report.sections;
    expect(asActor.events[0].event.details.email).toBe('u-bob@shop.test');
    expect(asSubject.events[0].event).toMatchObject({ type: 'user.viewed', actor: { id: 'u-admin' } });
    expect(report.integrity).toMatchObject({ ok: true, signaturesChecked: true, unproven: [] });
    // A proof from the report checks offline.
    const id = asActor.events[0].event.id;
    writeFileSync(join(dir, 'proof.json'), JSON.stringify(report.integrity.proofs[id]));
    expect((await cli('verify-proof', join(dir, 'proof.json'), '--key', publicKey)).code).toBe(0);
  });

  it('marks an erased subject and the fields shredded with its key', async () => {
    const r = await cli(
      'report',
      'gdpr',
      '--subject',
      'u-alice',
      '--store',
      trail,
      '--subject-keys',
      subjectKeys,
    );
    const report = JSON.parse(r.out);
    expect(report.subjectStatus).toMatchObject({ erased: true, erasedAt: expect.any(String) });
    expect(report.sections[0].events[0]).toMatchObject({ erased: true, encrypted: ['details.email'] });
    expect(report.sections[0].events[0].event.details.email).toMatchObject({ $enc: 'A256GCM' });
  });
});

describe('auditkit report period', () => {
  it('writes the PDF and records that the report was generated', async () => {
    const out = join(dir, 'period.pdf');
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    const r = await cli(
      'report',
      'period',
      '--from',
      from,
      '--to',
      to,
      '--controls',
      'sox',
      '--store',
      trail,
      '--format',
      'pdf',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/Privileged and administrative actions 1; .*Failures and denials 1/);
    expect(readFileSync(out).subarray(0, 5).toString()).toBe('%PDF-');
    const recorded = await cli('query', '--store', trail, 'type:report.generated', '--format', 'json');
    expect(JSON.parse(recorded.out).events[0]).toMatchObject({
      category: 'compliance',
      details: { kind: 'period', controls: ['sox'], format: 'pdf' },
    });
  });

  it('names a bad option value', async () => {
    const bad = async (...argv: string[]) => {
      const r = await cli('report', 'period', '--store', trail, ...argv);
      expect(r.code).toBe(2);
      return r.err;
    };
    await expect(bad('--from', 'x', '--to', 'y')).resolves.toMatch(
      /from must be an ISO date or time, got "x"/,
    );
    await expect(bad('--from', '2026-01-01', '--to', '2026-02-01', '--controls', 'gdpr')).resolves.toMatch(
      /--controls/,
    );
    await expect(bad('--from', '2026-01-01', '--to', '2026-02-01', '--format', 'pdf')).resolves.toMatch(
      /needs --out/,
    );
  });
});
