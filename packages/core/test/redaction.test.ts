import { luhnValid, maskCardNumbers } from '../src';
import { testLogger } from './helpers';

async function recordDetails(details: Record<string, unknown>, redact = {}) {
  const { logger, sink } = testLogger({ redact });
  logger.log({ type: 't', details });
  await logger.close();
  return sink.events[0]!.details as Record<string, unknown>;
}

describe('redaction', () => {
  it('masks default secret keys at any depth, case-insensitively, with common variants', async () => {
    const details = await recordDetails({
      Authorization: 'Bearer abc',
      headers: { cookie: 'sid=1', 'Set-Cookie': 'sid=2', 'X-API-Key': 'k', 'x-auth-token': 't' },
      user: { name: 'ann', password: 'p', PASSWORD: 'p', newPassword: 'p', db_password: 'p' },
      nested: [
        { deeper: { access_token: 'a', refreshToken: 'r', client_secret: 's', apiKey: 'k', api_key: 'k' } },
      ],
      secret: { anything: 'inside' },
      tokenCount: 3,
    });
    expect(details).toEqual({
      Authorization: '[REDACTED]',
      headers: {
        cookie: '[REDACTED]',
        'Set-Cookie': '[REDACTED]',
        'X-API-Key': '[REDACTED]',
        'x-auth-token': '[REDACTED]',
      },
      user: {
        name: 'ann',
        password: '[REDACTED]',
        PASSWORD: '[REDACTED]',
        newPassword: '[REDACTED]',
        db_password: '[REDACTED]',
      },
      nested: [
        {
          deeper: {
            access_token: '[REDACTED]',
            refreshToken: '[REDACTED]',
            client_secret: '[REDACTED]',
            apiKey: '[REDACTED]',
            api_key: '[REDACTED]',
          },
        },
      ],
      secret: '[REDACTED]',
      tokenCount: 3,
    });
  });

  it('masks Luhn-valid card numbers in any string and leaves other digit runs alone', async () => {
    const details = await recordDetails({
      note: 'paid with 4111 1111 1111 1111 yesterday',
      raw: '5500-0000-0000-0004',
      plain: '378282246310005',
      order: '1234567890123',
      phone: '+1 555 0100',
      list: ['4242424242424242'],
    });
    expect(details).toEqual({
      note: 'paid with ****1111 yesterday',
      raw: '****0004',
      plain: '****0005',
      order: '1234567890123',
      phone: '+1 555 0100',
      list: ['****4242'],
    });
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(maskCardNumbers('card 4111111111111111.')).toBe('card ****1111.');
    expect(maskCardNumbers('id 3f2a9c1e-7b4d-4e2a-8123-456789012340.')).toBe(
      'id 3f2a9c1e-7b4d-4e2a-8123-456789012340.',
    );
    expect(maskCardNumbers('8123-456789012340')).toBe('****2340');
  });

  it('masks configured keys and exact paths with wildcards, and a custom censor', async () => {
    const details = await recordDetails(
      {
        patient: { ssn: '123-45-6789', name: 'x', dob: '1990' },
        items: [{ iban: 'DE1', n: 1 }, { iban: 'DE2' }],
        diagnosis: 'flu',
      },
      { keys: ['diagnosis'], paths: ['details.patient.ssn', 'details.items.*.iban'], censor: '***' },
    );
    expect(details).toEqual({
      patient: { ssn: '***', name: 'x', dob: '1990' },
      items: [{ iban: '***', n: 1 }, { iban: '***' }],
      diagnosis: '***',
    });
  });

  it('redacts actor, resource, changes and error fields too', async () => {
    const { logger, sink } = testLogger({ redact: { paths: ['actor.email', 'changes.*.salary'] } });
    logger.log({
      type: 'user.updated',
      actor: { id: 'u1', email: 'a@b.c' },
      changes: { before: { salary: 1, password: 'old' }, after: { salary: 2, password: 'new' } },
      error: new Error('card 4111111111111111 declined'),
    });
    await logger.close();
    const e = sink.events[0]!;
    expect(e.actor).toEqual({ type: 'user', id: 'u1', email: '[REDACTED]' });
    expect(e.changes).toEqual({
      before: { salary: '[REDACTED]', password: '[REDACTED]' },
      after: { salary: '[REDACTED]', password: '[REDACTED]' },
    });
    expect(e.error!.message).toBe('card ****1111 declined');
  });

  it('never mutates the caller object', async () => {
    const input = { password: 'p', nested: { token: 't' } };
    await recordDetails(input);
    expect(input).toEqual({ password: 'p', nested: { token: 't' } });
  });
});
