import { testLogger } from './helpers';

/** A Proxy each of whose traps throws `message`. */
function throwingProxy(message: string): object {
  const handler = new Proxy(
    {},
    {
      get: () => () => {
        throw new Error(message);
      },
    },
  );
  return new Proxy({}, handler);
}

/** A Proxy that only throws when a property is read: `Object.keys` and the prototype work. */
function throwingGetter(message: string): object {
  return new Proxy(
    { id: 'u-1' },
    {
      get() {
        throw new Error(message);
      },
    },
  );
}

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

const hostile: Array<[string, () => object, string]> = [
  ['every trap throws', () => throwingProxy('trap'), '[Unreadable: trap]'],
  ['reads throw', () => throwingGetter('no reads'), '[Unreadable: no reads]'],
  ['revoked', revokedProxy, expect.stringMatching(/^\[Unreadable: .*revoked\]$/) as unknown as string],
];

describe('hostile proxies as details, actor or resource', () => {
  it.each(hostile)('records the event with [Unreadable] in place when %s', async (_name, make, marker) => {
    const { logger, sink } = testLogger();
    const ids = [
      logger.log({ type: 'details.hostile', details: make() as Record<string, unknown> }),
      logger.log({ type: 'actor.hostile', actor: make() as never }),
      logger.log({ type: 'resource.hostile', resource: make() as never }),
    ];
    await logger.close();
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(logger.stats()).toMatchObject({ logged: 3, queued: 3, dropped: 0 });
    const [details, actor, resource] = sink.events;
    expect(details!.details).toEqual({ value: marker });
    expect(actor!.actor).toEqual({ id: marker, type: 'user' });
    expect(resource!.resource).toEqual({ type: marker });
    expect(() => JSON.stringify(sink.events)).not.toThrow();
  });

  it('keeps a readable actor from the context and the rest of the event when the given actor is unreadable', async () => {
    const { logger, sink } = testLogger();
    const { runWithContext } = await import('../src');
    runWithContext({ actor: { id: 'ann', type: 'user' }, ip: '10.0.0.1' }, () =>
      logger.log({ type: 'mixed', actor: throwingProxy('trap') as never, details: { ok: true } }),
    );
    await logger.close();
    expect(sink.events[0]).toMatchObject({
      actor: { id: 'ann', type: 'user', ip: '10.0.0.1' },
      details: { ok: true },
    });
  });
});
