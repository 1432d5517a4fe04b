/**
 * While the sinks write one batch, the next full batch is sealed, so hashing overlaps the write;
 * it reaches the sinks only once that write settled, so writes keep the chain's order. A batch
 * that is not full yet keeps collecting while the write is in flight (group commit).
 */
import { type AuditEvent, createAuditLogger, generateSigningKeys } from '../src';
import { expectBalanced, scriptedSink } from './helpers';

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A sink whose first write hangs until `release()`. */
function gatedSink() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const sink = scriptedSink('gated', (_batch, call) => (call === 1 ? gate : undefined));
  return { sink, release };
}

const seqs = (events: readonly AuditEvent[]) => events.map((e) => e.integrity!.seq);

describe('delivery: sealing ahead of the write', () => {
  const options = {
    service: 'ahead',
    flushOnExit: false,
    batch: { maxEvents: 1000, maxWaitMs: 1 },
    integrity: { signingKey: generateSigningKeys().privateKeyPem, checkpointEvery: 0 },
  };

  it('seals the next full batch while the first is written, and writes it only after', async () => {
    const { sink, release } = gatedSink();
    const logger = createAuditLogger({ ...options, sinks: [sink] });
    for (let i = 0; i < 3000; i++) logger.log({ type: 'x', details: { i } });
    await until(() => sink.calls === 1, 'the first write');
    // The first write has not been answered: the received list fills only once it is.
    expect(sink.received).toHaveLength(0);
    await until(() => logger.stats().integrity!.seq >= 1999, 'the second batch to be sealed');
    expect(sink.calls).toBe(1);

    release();
    await logger.flush();
    const batches = sink.received.map((b) => seqs(b.events));
    expect(batches.map((b) => b.length).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(3000);
    // One contiguous chain, written batch after batch in order.
    const all = batches.flat();
    expect(all).toEqual(all.map((_, i) => all[0]! + i));
    expectBalanced(logger.stats());
    await logger.close();
  });

  it('lets a batch that is not full collect while the write is in flight', async () => {
    const { sink, release } = gatedSink();
    const logger = createAuditLogger({ ...options, sinks: [sink] });
    for (let i = 0; i < 1500; i++) logger.log({ type: 'x', details: { i } });
    await until(() => sink.calls === 1, 'the first write');
    const sealed = logger.stats().integrity!.seq;
    // Half a batch waits: it is neither sealed nor written while the first write hangs.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(logger.stats().integrity!.seq).toBe(sealed);
    for (let i = 1500; i < 2000; i++) logger.log({ type: 'x', details: { i } });

    release();
    await logger.flush();
    const sizes = sink.received.map((b) => b.events.length);
    // The first batch, then everything logged meanwhile as one batch.
    expect(sizes.slice(1)).toEqual([1000]);
    expectBalanced(logger.stats());
    await logger.close();
  });
});
