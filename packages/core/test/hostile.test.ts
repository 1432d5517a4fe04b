import { testLogger } from './helpers';

async function record(details: unknown, limits = {}) {
  const { logger, sink } = testLogger({ limits });
  expect(() => logger.log({ type: 'hostile', details: details as Record<string, unknown> })).not.toThrow();
  await logger.close();
  const event = sink.events[0]!;
  expect(() => JSON.stringify(event)).not.toThrow();
  return event.details as Record<string, unknown>;
}

describe('hostile values', () => {
  it('breaks cycles', async () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    a.list = [a, { back: a }];
    expect(await record({ a })).toEqual({
      a: { name: 'a', self: '[Circular]', list: ['[Circular]', { back: '[Circular]' }] },
    });
  });

  it('keeps repeated, non-circular references', async () => {
    const shared = { x: 1 };
    expect(await record({ one: shared, two: shared })).toEqual({ one: { x: 1 }, two: { x: 1 } });
  });

  it('converts BigInt, Buffers, Dates, Maps, Sets, Errors, NaN and functions', async () => {
    const err = new Error('outer', { cause: new TypeError('inner') });
    (err as Error & { code: string }).code = 'E_OUTER';
    const details = await record({
      big: 2n ** 70n,
      buf: Buffer.alloc(2048),
      bytes: new Uint8Array(3),
      date: new Date(0),
      bad: new Date('x'),
      map: new Map<unknown, unknown>([
        ['k', 1],
        [2, { password: 'p' }],
      ]),
      set: new Set([1, 2]),
      err,
      nan: Number.NaN,
      inf: Number.POSITIVE_INFINITY,
      fn: () => 1,
      sym: Symbol('s'),
      undef: undefined,
    });
    expect(details).toEqual({
      big: '1180591620717411303424',
      buf: '[Buffer 2048 bytes]',
      bytes: '[Uint8Array 3 bytes]',
      date: '1970-01-01T00:00:00.000Z',
      bad: 'Invalid Date',
      map: { k: 1, 2: { password: '[REDACTED]' } },
      set: [1, 2],
      err: {
        name: 'Error',
        message: 'outer',
        code: 'E_OUTER',
        cause: { name: 'TypeError', message: 'inner' },
      },
      nan: 'NaN',
      inf: 'Infinity',
    });
  });

  it('replaces NUL characters in strings and keys, which stores and log readers refuse', async () => {
    expect(await record({ 'k\u0000ey': 'a\u0000b', list: ['\u0000'] })).toEqual({
      'k\uFFFDey': 'a\uFFFDb',
      list: ['\uFFFD'],
    });
  });

  it('truncates huge strings with a marker', async () => {
    const huge = 'x'.repeat(50 * 1024 * 1024);
    const details = await record({ huge }, { maxStringLength: 100 });
    expect(details.huge).toBe(`${'x'.repeat(100)}…[truncated ${huge.length - 100} chars]`);
  });

  it('caps depth', async () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 100; i++) deep = { d: deep };
    const details = await record({ deep }, { maxDepth: 4 });
    expect(details).toEqual({ deep: { d: { d: { d: '[Depth limit]' } } } });
  });

  it('caps arrays and the total size of details', async () => {
    const details = await record({ many: Array.from({ length: 500 }, (_, i) => i) }, { maxArrayLength: 3 });
    expect(details.many).toEqual([0, 1, 2, '…[497 more items]']);
    const big: Record<string, string> = {};
    for (let i = 0; i < 1000; i++) big[`k${i}`] = 'v'.repeat(100);
    const capped = await record(big, { maxDetailsBytes: 1024 });
    const keys = Object.keys(capped);
    expect(keys.length).toBeLessThan(20);
    expect(capped['…']).toBe('[truncated: size limit]');
    expect(JSON.stringify(capped).length).toBeLessThan(2048);
  });

  it('survives throwing getters, proxies and toJSON', async () => {
    const getter = Object.defineProperty({ ok: 1 }, 'bad', {
      enumerable: true,
      get() {
        throw new Error('nope');
      },
    });
    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('trap');
        },
      },
    );
    const toJSON = {
      toJSON() {
        throw new Error('toJSON failed');
      },
    };
    const details = await record({ getter, proxy, toJSON, custom: { toJSON: () => ({ shown: true }) } });
    expect(details).toEqual({
      getter: { ok: 1, bad: '[Unreadable: nope]' },
      proxy: '[Unreadable: trap]',
      toJSON: '[Unreadable: toJSON failed]',
      custom: { shown: true },
    });
  });

  it('records own keys only when Object.prototype carries an enumerable key, and sizes arrays exactly', async () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 'inherited';
    let details: Record<string, unknown>;
    try {
      details = await record({ a: 1, nested: { b: [1, undefined, { c: 2 }] }, list: [] });
    } finally {
      delete proto.polluted;
    }
    expect(Object.keys(details)).toEqual(['a', 'nested', 'list']);
    expect(details).toEqual({ a: 1, nested: { b: [1, null, { c: 2 }] }, list: [] });
    expect(Object.hasOwn(details.nested as object, 'polluted')).toBe(false);
  });

  it('cuts an array at the size limit with a marker after the items that fit', async () => {
    const details = await record(
      { many: Array.from({ length: 200 }, () => 'x'.repeat(40)) },
      { maxDetailsBytes: 1024 },
    );
    const many = details.many as string[];
    expect(many.length).toBeLessThan(200);
    expect(many.slice(0, -1).every((item) => item === 'x'.repeat(40))).toBe(true);
    expect(many.at(-1)).toMatch(/^…\[\d+ more items, size limit\]$/);
  });
});
