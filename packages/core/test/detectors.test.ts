import { createHmac, generateKeyPairSync } from 'node:crypto';
import { type AuditLoggerOptions, createAuditLogger, memorySink } from '@auditkit/core';

async function record(details: Record<string, unknown>, options: AuditLoggerOptions = {}) {
  const sink = memorySink();
  const logger = createAuditLogger({ service: 's', flushOnExit: false, sinks: [sink], ...options });
  logger.log({ type: 'x', details });
  await logger.close();
  return sink.events[0]!.details as Record<string, unknown>;
}

const jwt =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('detectors', () => {
  it('masks secrets found in free text, whatever the key: JWTs, bearer tokens, cloud keys, private keys, cards', async () => {
    const d = await record({
      log: `GET /me with ${jwt} failed`,
      header: 'x-forwarded-auth: Bearer abcdEFGH1234ijklMNOP5678',
      upstream: { error: 'AccessDenied for AKIAIOSFODNN7EXAMPLE in eu-west-1' },
      config: `key:\n${pem}`,
      note: 'card 4111-1111-1111-1111 charged',
    });
    expect(d.log).toBe(`GET /me with ****sw5c failed`);
    expect(d.header).toBe('x-forwarded-auth: Bearer ****5678');
    expect(d.upstream).toEqual({ error: 'AccessDenied for ****MPLE in eu-west-1' });
    expect(d.config).toBe('key:\n[REMOVED privateKey]\n');
    expect(d.note).toBe('card ****1111 charged');
    expect(JSON.stringify(d)).not.toMatch(/eyJ|AKIA|BEGIN PRIVATE|4111-1111/);
  });

  it('masks a bearer credential however short, whole when it is shorter than 16 characters', async () => {
    const d = await record({
      one: 'Bearer x',
      short: 'retrying with Bearer abc123 after 401',
      eleven: 'authorization=bearer abcdefgh123',
      fifteen: 'BEARER abcdefghijk1234',
      long: 'Bearer abcdefghijklmnop6789',
    });
    expect(d).toEqual({
      one: 'Bearer ****',
      short: 'retrying with Bearer **** after 401',
      eleven: 'authorization=bearer ****',
      fifteen: 'BEARER ****',
      long: 'Bearer ****6789',
    });
  });

  it('leaves ordinary ids, UUIDs, timestamps, trace ids, amounts and e-mails alone by default', async () => {
    const ordinary = {
      id: '0194f1c2-7b3a-7c4d-8e5f-1a2b3c4d5e6f',
      time: '2026-11-24T05:30:12.345Z',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      order: 'ORD-2026-000123456789',
      invoice: 20261124000123,
      amount: '1234567890123.45',
      user: 'ann@example.com',
      phone: '+44 20 7946 0958',
      version: 'v1.2.3-beta.4',
      path: '/users/1234567890/orders/9876543210',
    };
    expect(await record(ordinary)).toEqual(ordinary);
  });

  describe('card numbers and hex identifiers', () => {
    /** `digits` followed by the Luhn check digit that makes the whole pass. */
    const withCheckDigit = (digits: string) => {
      let sum = 0;
      for (let i = 0; i < digits.length; i++) {
        let d = Number(digits[digits.length - 1 - i]);
        if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        sum += d;
      }
      return digits + ((10 - (sum % 10)) % 10);
    };
    // UUIDs whose last two groups are 16 decimal digits passing Luhn: as a run of digits, a card.
    const tails = ['812345678901234', '900000000000000', '401288888888188', '555555555555444'].map(
      withCheckDigit,
    );
    const uuid = (head: string, tail: string) => `${head}-${tail.slice(0, 4)}-${tail.slice(4)}`;
    const ids = {
      v4: uuid('3f2a9c1e-7b4d-4e2a', tails[0]!),
      v7: uuid('0194f1c2-7b3a-7c4d', tails[1]!),
      upper: uuid('3F2A9C1E-7B4D-4E2A', tails[2]!),
      decimal: uuid('12345678-1234-1234', tails[3]!),
    };

    it('the constructed tails are card numbers on their own, so the cases below can fail', async () => {
      const alone = Object.fromEntries(tails.map((t, i) => [i, `${t.slice(0, 4)}-${t.slice(4)}`]));
      expect(await record(alone)).toEqual(Object.fromEntries(tails.map((t, i) => [i, `****${t.slice(-4)}`])));
    });

    it('leaves UUIDs and longer hex ids alone even when their decimal tail passes Luhn', async () => {
      const spanId = withCheckDigit('123456789012345');
      const details = {
        ...ids,
        text: `request ${ids.v4} failed, retry of ${ids.decimal}.`,
        prefixed: `req-${ids.v4} evt_${ids.v7}`,
        traceparent: `00-4bf92f3577b34da6a3ce929d0e0e4736-${spanId}-01`,
        nested: { list: [ids.upper, `urn:uuid:${ids.v7}`] },
      };
      expect(await record(details)).toEqual(details);
      const sink = memorySink();
      const logger = createAuditLogger({ service: 's', flushOnExit: false, sinks: [sink] });
      logger.log({ type: 'x', actor: { id: ids.v4 }, resource: { type: 'order', id: ids.decimal } });
      await logger.close();
      expect(sink.events[0]).toMatchObject({ actor: { id: ids.v4 }, resource: { id: ids.decimal } });
    });

    it('still masks cards written with spaces or dashes, next to an id or inside a word', async () => {
      const d = await record({
        dashes: '4111-1111-1111-1111',
        spaces: 'card 4111 1111 1111 1111 charged',
        amex: '3782-822463-10005 and 3782 822463 10005',
        plain: '4111111111111111',
        beside: `order ${ids.v4} paid with 5555 5555 5555 4444`,
        word: 'ref-4111111111111111, abcd-4111-1111-1111-1111',
      });
      expect(d).toEqual({
        dashes: '****1111',
        spaces: 'card ****1111 charged',
        amex: '****0005 and ****0005',
        plain: '****1111',
        beside: `order ${ids.v4} paid with ****4444`,
        word: 'ref-****1111, abcd-****1111',
      });
    });
  });

  it('finds e-mail addresses and phone numbers when turned on', async () => {
    const d = await record(
      {
        contact: 'write to ann.lee@example.co.uk or call +44 20 7946 0958 / (555) 123-4567',
        when: '2026-11-24 10:00',
      },
      { redact: { detectors: { email: 'mask', phone: 'mask' } } },
    );
    expect(d.contact).toBe('write to ****o.uk or call ****0958 / ****4567');
    expect(d.when).toBe('2026-11-24 10:00');
  });

  it('removes, or replaces with a keyed pseudonym that stays joinable across events', async () => {
    const hashKey = 'a-secret-pseudonym-key-32-bytes!!';
    const options = { redact: { hashKey, detectors: { email: 'hash' as const, jwt: 'remove' as const } } };
    const a = await record({ who: 'ann@example.com', t: jwt }, options);
    const b = await record({ again: 'ann@example.com' }, options);
    const expected = createHmac('sha256', hashKey).update('email:ann@example.com').digest('hex').slice(0, 16);
    expect(a).toEqual({ who: `[email:${expected}]`, t: '[REMOVED jwt]' });
    expect(b.again).toBe(a.who);
  });

  it('fails at setup, not per event, on a bad configuration', () => {
    expect(() => createAuditLogger({ sinks: [], redact: { detectors: { email: 'hash' } } })).toThrow(
      /redact\.hashKey must be at least 16 bytes when a detector action is "hash"/,
    );
    expect(() => createAuditLogger({ sinks: [], redact: { detectors: { ssn: 'mask' } as never } })).toThrow(
      /redact\.detectors\.ssn is unknown/,
    );
    expect(() => createAuditLogger({ sinks: [], redact: { detectors: { jwt: 'shred' as never } } })).toThrow(
      /redact\.detectors\.jwt must be one of "mask", "remove", "hash" or false, got the string "shred"/,
    );
  });

  it('can be turned off one by one', async () => {
    const d = await record(
      { t: jwt, c: '4111111111111111' },
      { redact: { detectors: { jwt: false }, cardNumbers: false } },
    );
    expect(d).toEqual({ t: jwt, c: '4111111111111111' });
  });
});
