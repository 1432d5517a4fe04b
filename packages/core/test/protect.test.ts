import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuditEvent,
  type AuditLoggerOptions,
  createAuditLogger,
  decryptEvent,
  fileSink,
  fileSubjectKeys,
  generateKeyring,
  generateSigningKeys,
  isEncrypted,
  keyringFromEnv,
  keyringFromFile,
  localKeyring,
  memorySink,
  verifyFiles,
} from '@auditkit/core';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-protect-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function recordAll(
  inputs: Array<Parameters<ReturnType<typeof createAuditLogger>['log']>[0]>,
  options: AuditLoggerOptions,
) {
  const sink = memorySink();
  const logger = createAuditLogger({ service: 's', flushOnExit: false, sinks: [sink], ...options });
  for (const input of inputs) logger.log(input);
  await logger.close();
  return { events: sink.events, stats: logger.stats() };
}

describe('field encryption', () => {
  const ring = generateKeyring('k1');

  it('encrypts chosen paths with AES-256-GCM; a reader with the keyring decrypts, one without sees ciphertext', async () => {
    const { events } = await recordAll(
      [{ type: 'patient.viewed', details: { diagnosis: 'J45.909', ward: 'B', notes: { text: 'asthma' } } }],
      { protect: { encrypt: ['details.diagnosis', 'details.notes'], keyring: localKeyring(ring) } },
    );
    const e = events[0]!;
    expect(e.protected).toEqual({
      kid: 'k1',
      alg: 'A256GCM',
      fields: ['details.diagnosis', 'details.notes'],
    });
    expect(isEncrypted(e.details!.diagnosis)).toBe(true);
    expect(e.details!.ward).toBe('B');
    expect(JSON.stringify(e)).not.toMatch(/J45|asthma/);
    const clear = decryptEvent(e, { keyring: localKeyring(ring) });
    expect(clear).toEqual({
      event: expect.objectContaining({
        details: { diagnosis: 'J45.909', ward: 'B', notes: { text: 'asthma' } },
      }),
      undecryptable: [],
    });
    expect(decryptEvent(e, {}).undecryptable).toEqual(['details.diagnosis', 'details.notes']);
  });

  it('never reuses an IV under a key, across thousands of fields', async () => {
    const inputs = Array.from({ length: 1500 }, (_, i) => ({ type: 't', details: { a: i, b: i } }));
    const { events } = await recordAll(inputs, {
      protect: { encrypt: ['details.a', 'details.b'], keyring: localKeyring(ring) },
    });
    const ivs = events.flatMap((e) => [
      (e.details!.a as { iv: string }).iv,
      (e.details!.b as { iv: string }).iv,
    ]);
    expect(ivs).toHaveLength(3000);
    expect(new Set(ivs).size).toBe(3000);
  });

  it('a wrong key or a tampered ciphertext fails loudly, never returns garbage', async () => {
    const { events } = await recordAll([{ type: 't', details: { secret: 'x' } }], {
      protect: { encrypt: ['details.secret'], keyring: localKeyring(ring) },
    });
    const other = localKeyring(generateKeyring('k1'));
    expect(() => decryptEvent(events[0]!, { keyring: other })).toThrow(
      /does not decrypt under key k1: tampered, or the wrong key/,
    );
    const tampered = JSON.parse(JSON.stringify(events[0])) as AuditEvent;
    const value = tampered.details!.secret as { data: string };
    value.data = Buffer.from(Buffer.from(value.data, 'base64').map((b, i) => (i === 0 ? b ^ 1 : b))).toString(
      'base64',
    );
    expect(() => decryptEvent(tampered, { keyring: localKeyring(ring) })).toThrow(/tampered/);
  });

  it('rotation: new events use the newest key, old events stay readable', async () => {
    const first = await recordAll([{ type: 't', details: { s: 'old' } }], {
      protect: { encrypt: ['details.s'], keyring: localKeyring(ring) },
    });
    const rotated = { current: 'k2', keys: { ...ring.keys, ...generateKeyring('k2').keys } };
    const second = await recordAll([{ type: 't', details: { s: 'new' } }], {
      protect: { encrypt: ['details.s'], keyring: localKeyring(rotated) },
    });
    expect(second.events[0]!.protected!.kid).toBe('k2');
    expect(decryptEvent(first.events[0]!, { keyring: localKeyring(rotated) }).event.details!.s).toBe('old');
    expect(decryptEvent(second.events[0]!, { keyring: localKeyring(rotated) }).event.details!.s).toBe('new');
  });

  it('loads keyrings from a file or the environment, with clear errors for malformed ones', () => {
    const file = join(dir, 'keyring.json');
    writeFileSync(file, JSON.stringify(ring), { mode: 0o600 });
    expect(keyringFromFile(file).current().kid).toBe('k1');
    process.env.AUDITKIT_TEST_KEYRING = JSON.stringify(ring);
    expect(keyringFromEnv('AUDITKIT_TEST_KEYRING').current().kid).toBe('k1');
    delete process.env.AUDITKIT_TEST_KEYRING;
    expect(() => keyringFromEnv('AUDITKIT_TEST_KEYRING')).toThrow(/is not set/);
    expect(() => localKeyring({ current: 'a', keys: { a: 'c2hvcnQ=' } })).toThrow(/must be 32 bytes/);
    expect(() => localKeyring({ current: 'b', keys: ring.keys })).toThrow(/current key "b"/);
    writeFileSync(file, 'not json');
    expect(() => keyringFromFile(file)).toThrow(/is not JSON/);
    expect(() => createAuditLogger({ sinks: [], protect: { encrypt: ['details.x'] } })).toThrow(
      /protect\.keyring must be a keyring when protect\.encrypt is set, got undefined/,
    );
  });

  it('an event that cannot be encrypted is not recorded in the clear: dropped, counted, reported', async () => {
    const failing = { current: () => ({ kid: 'kms', key: Buffer.alloc(32) }), get: () => undefined };
    let calls = 0;
    const flaky = {
      ...failing,
      current: () =>
        calls++ === 0
          ? failing.current()
          : (() => {
              throw new Error('KMS unreachable');
            })(),
    };
    const { events, stats } = await recordAll([{ type: 't', details: { s: 'secret' } }], {
      protect: { encrypt: ['details.s'], keyring: flaky },
      onError: () => {},
    });
    expect(events).toHaveLength(0);
    expect(stats.dropped).toBe(1);
  });
});

describe('crypto-shredding', () => {
  it('erasing a subject key makes its fields unrecoverable, leaves others readable, and changes no stored byte', async () => {
    const keys = generateSigningKeys();
    const subjects = fileSubjectKeys(join(dir, 'subjects.json'));
    const path = join(dir, 'audit.jsonl');
    const logger = createAuditLogger({
      service: 'clinic',
      flushOnExit: false,
      sinks: [fileSink({ path })],
      integrity: { signingKey: keys.privateKeyPem },
      protect: { personal: ['details.name', 'details.birthDate'], subjects },
    });
    for (const [id, name] of [
      ['p-1', 'Ann Lee'],
      ['p-2', 'Bo Chan'],
      ['p-1', 'Ann Lee'],
    ]) {
      logger.log({
        type: 'record.viewed',
        actor: { type: 'user', id: id! },
        details: { name, birthDate: '1980-02-03', room: 12 },
      });
    }
    await logger.close();
    expect(statSync(join(dir, 'subjects.json')).mode & 0o777).toBe(0o600);
    const before = createHash('sha256').update(readFileSync(path)).digest('hex');
    const stored = () =>
      readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as AuditEvent)
        .filter((e) => e.type === 'record.viewed');

    expect(decryptEvent(stored()[0]!, { subjects }).event.details).toEqual({
      name: 'Ann Lee',
      birthDate: '1980-02-03',
      room: 12,
    });
    const erasures = memorySink();
    const dpo = createAuditLogger({ service: 'clinic', flushOnExit: false, sinks: [erasures] });
    expect(
      subjects.erase('p-1', { logger: dpo, actor: { id: 'dpo-1' }, reason: 'GDPR art. 17 request #881' }),
    ).toBe(true);
    expect(subjects.erase('p-1')).toBe(false);
    await dpo.close();
    expect(erasures.events[0]).toMatchObject({
      type: 'privacy.erasure',
      outcome: 'success',
      actor: { id: 'dpo-1' },
      resource: { type: 'data-subject', id: 'p-1' },
      details: { reason: 'GDPR art. 17 request #881' },
    });

    const reloaded = fileSubjectKeys(join(dir, 'subjects.json'));
    const [a1, b, a2] = stored();
    expect(decryptEvent(a1!, { subjects: reloaded }).undecryptable.sort()).toEqual([
      'details.birthDate',
      'details.name',
    ]);
    expect(decryptEvent(a2!, { subjects: reloaded }).undecryptable).toHaveLength(2);
    expect(decryptEvent(b!, { subjects: reloaded }).event.details).toMatchObject({ name: 'Bo Chan' });
    expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(before);
    const report = await verifyFiles([path], { publicKeys: [keys.publicKeyPem], expectClosed: true });
    expect(report.ok).toBe(true);
  });
});
