/**
 * Verification and inclusion proofs over any store that can read a chain in `seq` order
 * (`AuditStore.chainEvents`), the same checks `verifyFiles` and `proveEvent` make on files.
 */

import type { AuditEvent, AuditStore } from '../types';
import { type InclusionProof, proveChainEvent } from './prove';
import { ChainVerifier, type VerifyOptions, type VerifyReport } from './verify';

function chainEventsOf(store: AuditStore): (chain: string) => AsyncIterable<AuditEvent> {
  if (typeof store.chainEvents !== 'function')
    throw new TypeError(`store "${store.name}" cannot read a chain's events (it has no chainEvents)`);
  return (chain) => store.chainEvents!(chain);
}

/** Verifies every chain the store holds, or only `chains`, one chain at a time. */
export async function verifyStore(
  store: AuditStore,
  options: VerifyOptions & { chains?: readonly string[] } = {},
): Promise<VerifyReport> {
  const read = chainEventsOf(store);
  const known = (await store.chainHeads()).map((h) => h.chain);
  const chains = options.chains ? known.filter((c) => options.chains!.includes(c)) : known;
  const verifier = new ChainVerifier(options);
  for (const chain of chains.sort()) for await (const event of read(chain)) verifier.addEvent(event);
  return verifier.finish();
}

/** The inclusion proof of a stored event against the first signed checkpoint of its chain after it. */
export async function proveStoredEvent(store: AuditStore, eventId: string): Promise<InclusionProof> {
  const read = chainEventsOf(store);
  const event = await store.get(eventId);
  if (!event) throw new Error(`event ${eventId} is not in the store`);
  if (!event.integrity) throw new Error(`event ${eventId} is not sealed`);
  return proveChainEvent(read(event.integrity.chain), eventId);
}

/** Events a database store reads per round trip of `chainEvents`. */
export const CHAIN_PAGE_SIZE = 1000;

/**
 * `chainEvents` for a database store: `page(afterSeq, limit)` returns the chain's next events by
 * `seq` (an indexed keyset read), and this loop asks until a short page says the chain ended.
 */
export async function* chainEventsByPages(
  chain: string,
  page: (afterSeq: number, limit: number) => Promise<AuditEvent[]>,
  store: string,
): AsyncGenerator<AuditEvent> {
  if (typeof chain !== 'string' || chain === '')
    throw new TypeError(`${store}: chainEvents needs a chain id, got ${JSON.stringify(chain)}`);
  let after = -1;
  for (;;) {
    const events = await page(after, CHAIN_PAGE_SIZE);
    yield* events;
    if (events.length < CHAIN_PAGE_SIZE) return;
    after = events.at(-1)!.integrity!.seq;
  }
}
