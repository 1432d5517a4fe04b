/**
 * Data-subject reports over a really encrypted trail: the console decrypts with the writers'
 * keyring and subject keys, reads the subject keys afresh for each report (an erasure since the
 * last one counts), and marks crypto-shredded subjects and fields.
 */
import { join } from 'node:path';
import {
  type AuditLogger,
  createAuditLogger,
  fileSink,
  fileStore,
  fileSubjectKeys,
  generateKeyring,
  localKeyring,
} from '@auditkit/core';
import { createAuditServer } from '@auditkit/server';
import { type RunningConsole, startConsole } from './helpers';

let c: RunningConsole;
let writer: AuditLogger;
let subjectKeysPath: string;
const keyring = localKeyring(generateKeyring('k1'));

beforeAll(async () => {
  c = await startConsole({
    keys: { dpo: { tenant: '*', scopes: ['read', 'export'] } },
    store: (dir) => fileStore(dir, { file: 'console.jsonl' }),
    server: {
      decryptKeys: () => ({ keyring, subjects: fileSubjectKeys(subjectKeysPath) }),
    },
  });
  subjectKeysPath = join(c.dir, 'subject-keys.json');
  const subjects = fileSubjectKeys(subjectKeysPath);
  writer = createAuditLogger({
    service: 'shop',
    instance: 's-1',
    flushOnExit: false,
    batch: { maxWaitMs: 1 },
    sinks: [fileSink({ path: join(c.dir, 'shop.jsonl') })],
    protect: { encrypt: ['details.card'], keyring, personal: ['details.email'], subjects },
    integrity: { signingKey: c.signing.privateKeyPem, checkpointEvery: 2 },
  });
  for (const who of ['u-alice', 'u-bob'])
    writer.log({
      type: 'profile.updated',
      actor: { id: who },
      details: { email: `${who}@shop.test`, card: `4111-${who}` },
    });
  subjects.erase('u-alice', { logger: writer, actor: { id: 'dpo' }, reason: 'erasure request' });
  await writer.flush();
});

afterAll(async () => {
  await writer?.close();
  await c?.close();
});

const gdpr = async (subject: string, format = 'json') =>
  c.api(`/api/reports/gdpr?subject=${subject}&format=${format}`, { key: c.keys.dpo });

describe('data-subject reports over an encrypted trail', () => {
  it('are stored encrypted, and decrypted in the report where the keys allow', async () => {
    const stored = (await c.store.query({ filter: 'actor:u-bob type:profile.updated' })).events[0]!;
    expect(stored.details).toMatchObject({ email: { $enc: 'A256GCM' }, card: { $enc: 'A256GCM' } });
    const r = await gdpr('u-bob');
    expect(r.status).toBe(200);
    expect(r.json.subjectStatus).toEqual({ erased: false });
    const [listed] = r.json.sections[0].events;
    expect(listed.event.details).toEqual({ email: 'u-bob@shop.test', card: '4111-u-bob' });
    expect(listed.encrypted).toBeUndefined();
    expect(listed.erased).toBeUndefined();
    // The proof still carries the stored, encrypted form: what the chain hashed.
    expect(r.json.integrity.proofs[stored.id].event.details.email).toMatchObject({ $enc: 'A256GCM' });
  });

  it('mark an erased subject and the fields shredded with its key; the keyring still decrypts the rest', async () => {
    const r = await gdpr('u-alice');
    expect(r.json.subjectStatus).toEqual({ erased: true, erasedAt: expect.any(String) });
    const [listed] = r.json.sections[0].events;
    expect(listed).toMatchObject({ erased: true, encrypted: ['details.email'] });
    expect(listed.event.details.email).toMatchObject({ $enc: 'A256GCM', kid: 'subject:u-alice' });
    expect(listed.event.details.card).toBe('4111-u-alice');
    const html = await gdpr('u-alice', 'html');
    expect(html.text).toContain('erased (crypto-shredded)');
    expect(html.text).not.toContain('u-alice@shop.test');
  });

  it('read the subject keys for each report: a subject erased after the console started is shredded', async () => {
    fileSubjectKeys(subjectKeysPath).erase('u-bob', { logger: writer, actor: { id: 'dpo' } });
    await writer.flush();
    const r = await gdpr('u-bob');
    expect(r.json.subjectStatus).toMatchObject({ erased: true });
    const [listed] = r.json.sections[0].events;
    expect(listed).toMatchObject({ erased: true, encrypted: ['details.email'] });
    expect(JSON.stringify(r.json)).not.toContain('u-bob@shop.test');
    const recorded = (await c.consoleEvents()).filter((e) => e.type === 'console.report');
    expect(recorded.at(-1)?.details).toMatchObject({ kind: 'gdpr', subject: 'u-bob', decrypted: true });
  });

  it('fail when the keys cannot be read, rather than report ciphertext as if no key existed', async () => {
    const broken = await startConsole({
      keys: { dpo: { tenant: '*', scopes: ['export'] } },
      server: {
        decryptKeys: () => {
          throw new Error('subject-keys.json is not JSON');
        },
      },
    });
    try {
      const r = await broken.api('/api/reports/gdpr?subject=u-bob', { key: broken.keys.dpo });
      // 5xx reasons go to the server's log, not to the caller.
      expect(r.status).toBe(503);
      expect(r.json.sections).toBeUndefined();
    } finally {
      await broken.close();
    }
  });

  it('refuse decryptKeys that are not keys, naming the option', async () => {
    await expect(
      createAuditServer({
        store: c.store,
        logger: c.logger,
        keys: c.keysPath,
        decryptKeys: { keyring: 'k1' } as never,
      }),
    ).rejects.toThrow(/decryptKeys must be \{ keyring\?, subjects\? \}/);
  });
});
