import { openStream, type RunningConsole, type StreamClient, startWalledConsole } from './helpers';

// Subscribers asking for the same thing share one compiled filter and one message per batch, and
// are looked up by tenant: each must still get exactly what its own filter and tenant wall allow.
let c: RunningConsole;
beforeAll(async () => {
  c = await startWalledConsole();
});
afterAll(() => c.close());

async function subscribe(key: 'acme' | 'all', q: string): Promise<StreamClient> {
  const s = openStream(c.url, { key: c.keys[key], q });
  await s.next((m) => m.type === 'subscribed');
  return s;
}

const messagesOf = (s: StreamClient) =>
  s.messages.filter((m) => m.type === 'event').map((m) => `${m.event.tenant ?? '-'}/${m.event.message}`);

describe('stream subscribers grouped by filter and tenant', () => {
  it('gives each subscriber what its own filter and wall allow, whoever shares its filter', async () => {
    const twinA = await subscribe('all', 'type:grp.a tenant:globex');
    const twinB = await subscribe('all', 'type:grp.a tenant:globex');
    const walled = await subscribe('acme', 'type:grp.a tenant:globex'); // same text, acme's wall
    const acme = await subscribe('acme', 'type:grp.a');
    const notAcme = await subscribe('all', 'type:grp.a -tenant:acme');
    const wildcard = await subscribe('all', 'type:grp.a tenant:glob*');
    const either = await subscribe('all', 'type:grp.a tenant:acme,initech');
    const last = await subscribe('all', 'type:grp.a');
    await c.seed([
      { type: 'grp.a', tenant: 'acme', message: '1' },
      { type: 'grp.a', tenant: 'globex', message: '2' },
      { type: 'grp.b', tenant: 'globex', message: '3' },
      { type: 'grp.a', message: '4' },
      { type: 'grp.a', tenant: 'initech', message: '5' },
      { type: 'grp.a', tenant: 'globex', message: '6' },
    ]);
    await last.next((m) => m.type === 'event' && m.event.message === '6');
    for (const s of [twinA, twinB, wildcard]) await s.next((m) => m.event?.message === '6');
    await notAcme.next((m) => m.event?.message === '6');
    await either.next((m) => m.event?.message === '5');
    await acme.next((m) => m.event?.message === '1');
    expect(messagesOf(twinA)).toEqual(['globex/2', 'globex/6']);
    expect(messagesOf(twinB)).toEqual(['globex/2', 'globex/6']);
    expect(messagesOf(wildcard)).toEqual(['globex/2', 'globex/6']);
    expect(messagesOf(notAcme)).toEqual(['globex/2', '-/4', 'initech/5', 'globex/6']);
    expect(messagesOf(either)).toEqual(['acme/1', 'initech/5']);
    expect(messagesOf(acme)).toEqual(['acme/1']);
    expect(messagesOf(last)).toEqual(['acme/1', 'globex/2', '-/4', 'initech/5', 'globex/6']);
    expect(messagesOf(walled)).toEqual([]);
    for (const s of [twinA, twinB, walled, acme, notAcme, wildcard, either, last]) s.ws.close();
  });

  it('keeps serving a filter when one of its subscribers leaves or moves to another filter', async () => {
    const stays = await subscribe('all', 'type:grp.c');
    const leaves = await subscribe('all', 'type:grp.c');
    const moves = await subscribe('all', 'type:grp.c');
    leaves.ws.close();
    await leaves.closed;
    moves.ws.send(JSON.stringify({ type: 'subscribe', filter: 'type:grp.d' }));
    await moves.next((m) => m.type === 'subscribed' && m.filter === 'type:grp.d');
    await c.seed([
      { type: 'grp.c', tenant: 'acme', message: 'c1' },
      { type: 'grp.d', tenant: 'acme', message: 'd1' },
    ]);
    await stays.next((m) => m.event?.message === 'c1');
    await moves.next((m) => m.event?.message === 'd1');
    await c.seed([{ type: 'grp.c', tenant: 'acme', message: 'c2' }]);
    await stays.next((m) => m.event?.message === 'c2');
    await c.seed([{ type: 'grp.d', tenant: 'acme', message: 'd2' }]);
    await moves.next((m) => m.event?.message === 'd2');
    expect(messagesOf(stays)).toEqual(['acme/c1', 'acme/c2']);
    expect(messagesOf(moves)).toEqual(['acme/d1', 'acme/d2']);
    stays.ws.close();
    moves.ws.close();
  });
});
