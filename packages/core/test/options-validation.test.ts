import { AuditOptionError, bruteForce, createAuditLogger, LOGGER_OPTIONS, privilegeEscalation } from '../src';
import { testLogger } from './helpers';

/** The error `createAuditLogger(options)` throws; fails the test when it throws nothing. */
function errorOf(options: object): AuditOptionError {
  try {
    createAuditLogger({ sinks: [], flushOnExit: false, ...options });
  } catch (error) {
    return error as AuditOptionError;
  }
  throw new Error(`createAuditLogger accepted ${JSON.stringify(options)}`);
}

describe('options validation', () => {
  it('turns a typo in an option name into a TypeError with the full path and a did-you-mean', () => {
    const servce = errorOf({ servce: 'billing' });
    expect(servce).toBeInstanceOf(TypeError);
    expect(servce).toBeInstanceOf(AuditOptionError);
    expect(servce.option).toBe('servce');
    expect(servce.message).toBe(
      'auditkit: createAuditLogger option servce is unknown (got the string "billing"); did you mean service?',
    );
    expect(errorOf({ redcat: { paths: ['details.ssn'] } }).message).toMatch(
      /option redcat is unknown \(got an object\); did you mean redact\?$/,
    );
    const nested = errorOf({ redact: { pahts: ['details.ssn'] } });
    expect(nested.option).toBe('redact.pahts');
    expect(nested.message).toMatch(
      /redact\.pahts is unknown \(got an array of 1 item\); did you mean redact\.paths\?/,
    );
    expect(errorOf({ excludeType: 'debug.*' }).message).toMatch(/did you mean excludeTypes\?/);
  });

  it('lists the known options when nothing is close', () => {
    expect(errorOf({ queue: { colour: 'red' } }).message).toBe(
      'auditkit: createAuditLogger option queue.colour is unknown (got the string "red"); ' +
        'known options of queue: maxEvents, maxBytes, overflow',
    );
  });

  it('names the path, the expected type and what was given with its type', () => {
    const rate = errorOf({ sample: { rate: '0.1' } });
    expect(rate.option).toBe('sample.rate');
    expect(rate.message).toBe(
      'auditkit: createAuditLogger option sample.rate must be a number from 0 to 1, got the string "0.1"',
    );
    expect(errorOf({ redact: { paths: ['details.a', 'details.b', 3] } }).message).toBe(
      'auditkit: createAuditLogger option redact.paths[2] must be a non-empty string, got the number 3',
    );
    expect(errorOf({ queue: { overflow: 'discard' } }).message).toMatch(
      /queue\.overflow must be one of "drop", "block" or "spill", got the string "discard"$/,
    );
    expect(errorOf({ batch: { maxEvents: 0 } }).message).toMatch(
      /batch\.maxEvents must be an integer >= 1, got the number 0$/,
    );
    expect(errorOf({ retry: { timeoutMs: null } }).message).toMatch(
      /retry\.timeoutMs must be a finite number >= 0, got null$/,
    );
    expect(errorOf({ sinks: [{ name: 'x' }] }).message).toBe(
      'auditkit: createAuditLogger option sinks[0] must be a sink (an object with a name and write()) ' +
        'or a { sink, primary } object, got an object',
    );
    expect(
      errorOf({
        alerts: {
          channels: [{ name: 'ops', send: async () => {} }],
          routes: [{ name: 'r', kinds: '*', channels: 'ops', escalate: { afterMs: '5m', channels: 'ops' } }],
        },
      }).message,
    ).toMatch(/alerts\.routes\[0\]\.escalate\.afterMs must be a finite number >= 0, got the string "5m"$/);
    expect(
      errorOf({ sample: { rules: [{ match: { route: '/a' }, rate: 0, keepSlow: 'yes' }] } }).option,
    ).toBe('sample.rules[0].keepSlow');
  });

  it('checks every option: a value no option accepts is refused, naming that option', () => {
    const names = Object.keys(LOGGER_OPTIONS);
    expect(names).toEqual(expect.arrayContaining(['service', 'redact', 'sample', 'excludeTypes', 'alerts']));
    for (const name of names) {
      const error = errorOf({ [name]: Symbol('nothing accepts this') });
      expect(error).toBeInstanceOf(TypeError);
      expect(error.option).toBe(name);
      expect(error.message).toContain(`option ${name} must be `);
      expect(error.message).toMatch(/, got a symbol$/);
    }
  });

  it('refuses threshold names a detection rule does not know, with the nearest one', () => {
    expect(() => bruteForce({ maxFailuresPerActr: 3 } as never)).toThrow(
      'auditkit: bruteForce option maxFailuresPerActr is unknown (got the number 3); did you mean maxFailuresPerActor?',
    );
    expect(() => privilegeEscalation({ sensitve: { types: 'data.export' } } as never)).toThrow(
      /privilegeEscalation option sensitve is unknown \(got an object\); did you mean sensitive\?/,
    );
    expect(() => privilegeEscalation({ sensitive: { types: 'data.export' }, cooldownMs: 5 })).not.toThrow();
  });

  it('takes a single string where a list of patterns belongs as one pattern', async () => {
    const { logger, sink } = testLogger({ excludeTypes: 'debug.*' });
    for (const type of ['debug.trace', 'd', 'e', 'b', 'order.placed']) logger.log({ type });
    await logger.close();
    expect(sink.events.map((e) => e.type)).toEqual(['d', 'e', 'b', 'order.placed']);
    expect(logger.stats().filtered).toBe(1);
  });

  it('takes a single redaction path or key as one, never as its characters', async () => {
    const { logger, sink } = testLogger({ redact: { paths: 'details.ssn', keys: 'pin' } });
    logger.log({ type: 't', details: { ssn: '078-05-1120', pin: '1234', d: 'kept', s: 'kept', n: 'kept' } });
    await logger.close();
    expect(sink.events[0]!.details).toEqual({
      ssn: '[REDACTED]',
      pin: '[REDACTED]',
      d: 'kept',
      s: 'kept',
      n: 'kept',
    });
  });

  it('treats an option set to undefined as not set', async () => {
    const { logger, sink } = testLogger({ queue: { maxEvents: undefined }, redact: { censor: undefined } });
    logger.log({ type: 't', details: { password: 'x' } });
    await logger.close();
    expect(sink.events[0]!.details).toEqual({ password: '[REDACTED]' });
  });
});
