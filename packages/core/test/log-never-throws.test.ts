import { audit } from '../src';

describe('audit.log() outside a request', () => {
  const saved = process.env.AUDITKIT_SIGNING_KEY;
  afterAll(() => {
    if (saved === undefined) delete process.env.AUDITKIT_SIGNING_KEY;
    else process.env.AUDITKIT_SIGNING_KEY = saved;
  });

  it('never throws when the zero-config logger cannot be created: it counts and reports the loss', () => {
    process.env.AUDITKIT_SIGNING_KEY = 'garbage';
    // Observed, not replaced: the warning still goes out as it would in an application.
    const warn = jest.spyOn(process, 'emitWarning');
    expect(audit.log({ type: 'payment.processed' })).toBeUndefined();
    expect(audit.log({ type: 'payment.refunded' })).toBeUndefined();
    const calls = [...warn.mock.calls];
    warn.mockRestore();
    expect(audit.stats()).toMatchObject({ logged: 2, dropped: 2, queued: 0 });
    // Announced once per interval, with the reason and without the key's value.
    expect(calls).toHaveLength(1);
    const [message, options] = calls[0] as [string, { code: string }];
    expect(options.code).toBe('AUDITKIT_DROPPED');
    expect(message).toMatch(
      /zero-config audit logger could not be created: auditkit: the AUDITKIT_SIGNING_KEY environment variable must be PEM text/,
    );
    expect(message).not.toContain('garbage');
  });
});
