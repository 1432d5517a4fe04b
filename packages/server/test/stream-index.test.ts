import { type AuditEvent, type AuditInput, compileAuditFilter, parseAuditFilter } from '@auditkit/core';
import { openStream, type RunningConsole, type StreamClient, startWalledConsole } from './helpers';

// The stream looks subscribers up by the tenant and the values their filters pin; each must still
// receive exactly what the plain matcher accepts inside its key's wall: the index narrows the
// candidates, never a filter's answer (no event lost, none from outside the filter or the wall).
let c: RunningConsole;
beforeAll(async () => {
  c = await startWalledConsole();
});
afterAll(() => c.close());

const FILTERS: Array<['acme' | 'all', string]> = [
  ['all', 'type:idx.a.login'],
  ['all', 'type:idx.a.*'],
  ['all', 'type:idx.a*'],
  ['all', 'type:idx'],
  ['all', 'type:*login'],
  ['all', '-type:idx.a.login'],
  ['all', 'type:idx.b.*,idx.a.login'],
  ['all', 'type:idx.a.login type:idx.*'],
  ['all', 'type:IDX.A.LOGIN'],
  ['all', ''],
  ['all', 'tenant:acme'],
  ['all', 'tenant:acme,globex type:idx.b.x'],
  ['all', 'tenant:glob*'],
  ['all', '-tenant:acme type:idx.*'],
  ['all', 'actor:u-1'],
  ['all', 'actor:u-1,u-2 outcome:failure'],
  ['all', '-actor:u-1 type:idx.a.login'],
  ['all', 'outcome:failure'],
  ['all', 'resource.id:r-1 type:idx.a.*'],
  ['acme', ''],
  ['acme', 'tenant:globex'],
  ['acme', 'type:idx.a.*'],
  ['acme', 'actor:u-1'],
  ['acme', '-type:idx.a.login'],
];

/** Tenants (none included), types (a segment's look-alikes included), actors (none included), outcomes. */
function inputs(): AuditInput[] {
  const out: AuditInput[] = [];
  let n = 0;
  for (const tenant of ['acme', 'globex', 'initech', undefined])
    for (const type of ['idx.a.login', 'idx.a.logout', 'idx.b.x', 'idx', 'idxa.b', 'other.idx.a.login'])
      for (const actor of ['u-1', 'u-2', undefined])
        out.push({
          type,
          message: `idx-${n}`,
          outcome: n++ % 3 === 0 ? 'failure' : 'success',
          ...(tenant && { tenant }),
          ...(actor && { actor: { type: 'user', id: actor } }),
          resource: { type: 'doc', id: actor === 'u-1' ? 'r-1' : 'r-2' },
        });
  return out;
}

const seeded = (s: StreamClient): AuditEvent[] =>
  s.messages
    .filter((m) => m.type === 'event' && String(m.event.message).startsWith('idx-'))
    .map((m) => m.event as AuditEvent);

describe('the stream index', () => {
  it('delivers to each subscriber exactly what the plain matcher accepts inside its wall', async () => {
    const subscribers = [];
    for (const [key, q] of FILTERS) {
      const s = openStream(c.url, { key: c.keys[key], q });
      await s.next((m) => m.type === 'subscribed');
      subscribers.push({ s, key, q });
    }
    const witness = openStream(c.url, { key: c.keys.all, q: '' });
    await witness.next((m) => m.type === 'subscribed');
    const all = inputs();
    await c.seed(all);
    await witness.next((m) => m.event?.message === `idx-${all.length - 1}`);
    const events = seeded(witness);
    expect(events).toHaveLength(all.length);

    const expected = subscribers.map(({ key, q }) => {
      const wall = key === 'acme' ? 'acme' : undefined;
      const accepts = compileAuditFilter(parseAuditFilter(q), wall);
      return events.filter(accepts).map((e) => e.message);
    });
    // Every subscriber got its events in the same fan-out as the witness; wait until they arrive.
    await Promise.all(
      subscribers.map(({ s }, i) => {
        const last = expected[i]!.at(-1);
        return last === undefined ? undefined : s.next((m) => m.event?.message === last);
      }),
    );
    await new Promise((r) => setTimeout(r, 300)); // for anything sent that should not have been
    const received = subscribers.map(({ s }) => seeded(s).map((e) => e.message));
    expect(subscribers.map(({ key, q }, i) => [key, q, received[i]])).toEqual(
      subscribers.map(({ key, q }, i) => [key, q, expected[i]]),
    );
    // The filters above reach every kind of answer: none, some, all.
    expect(expected.some((e) => e.length === 0)).toBe(true);
    expect(expected.some((e) => e.length === events.length)).toBe(true);
    for (const { key, s } of subscribers)
      if (key === 'acme') expect(seeded(s).every((e) => e.tenant === 'acme')).toBe(true);
    for (const { s } of subscribers) s.ws.close();
    witness.ws.close();
  });
});
