/**
 * A sealed logger whose sinks write lines only keeps queued events as their canonical text and
 * seals from it: every line must be the one the seal stage makes from the event object, and
 * listeners still hear the events.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  type AuditEvent,
  consoleSink,
  createAuditLogger,
  fileSink,
  generateSigningKeys,
  ingestEvent,
  newEventId,
  subscribeSealed,
  verifyFiles,
} from '../src';
import { canonicalize } from '../src/seal/canonical';
import { sealedLine } from '../src/seal/sealer';
import { TextArena } from '../src/seal/text-arena';

const keys = generateSigningKeys();
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-queued-text-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lines = (file: string): string[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);

/** Values the canonical writer treats with care: escapes, non-ASCII, surrogates, numbers, key order. */
const awkward = (i: number) => ({
  type: 'order.updated',
  message: `line\nbreak "quoted" \\ é 漢字 😀 \ud800 ${i}`,
  resource: { type: 'order', id: `ord-${i}` },
  changes: { before: { z: 1, a: [0.1, -0, 1e21, 2 ** 53, null, true] }, after: { é: 1, e: 2, E: 3, '': 4 } },
  details: { i, nested: { deep: [{ b: 1, a: 2 }], empty: {}, none: [] } },
  compliance: ['SOX'],
});

it('seals events queued as text to the lines the seal stage makes from the events, and they verify', async () => {
  const asText = jest.spyOn(TextArena.prototype, 'textOf');
  const file = join(dir, 'audit.jsonl');
  const logger = createAuditLogger({
    service: 'queued-text',
    flushOnExit: false,
    sinks: [fileSink({ path: file })],
    integrity: { signingKey: keys.privateKeyPem, checkpointEvery: 100 },
    batch: { maxEvents: 64, maxWaitMs: 1 },
  });
  const heard: AuditEvent[] = [];
  let unsubscribe: (() => void) | undefined;
  for (let i = 0; i < 600; i++) {
    // Listeners come and go: events wait as objects while there are any, as text otherwise.
    if (i === 200) unsubscribe = subscribeSealed(logger, (events) => heard.push(...events));
    if (i === 400) {
      await logger.flush();
      unsubscribe!();
    }
    logger.log(awkward(i));
    // Larger than a chunk of queued text: waits as an object.
    if (i % 150 === 7) logger.log({ type: 'report.exported', details: { blob: 'x'.repeat(300_000) } });
    // Another service's event keeps its source: the seal stage seals it from the object.
    if (i % 100 === 3)
      ingestEvent(logger, {
        v: 1,
        id: newEventId(),
        time: new Date().toISOString(),
        type: 'payment.captured',
        category: 'business',
        action: 'execute',
        outcome: 'success',
        severity: 'info',
        actor: { type: 'service', id: 'billing' },
        source: { service: 'billing', host: 'b-1' },
      } as AuditEvent);
    // Bursts of 300: past the first 128 queued, events wait as text.
    if (i % 300 === 299) await new Promise((r) => setImmediate(r));
  }
  await logger.close();
  expect(logger.stats().dropped).toBe(0);

  const stored = lines(file);
  const events = stored.map((l) => JSON.parse(l) as AuditEvent);
  expect(events.filter((e) => e.type === 'order.updated').map((e) => e.details!.i)).toEqual(
    Array.from({ length: 600 }, (_, i) => i),
  );
  expect(events.filter((e) => e.type === 'report.exported')).toHaveLength(4);
  expect(events.filter((e) => e.source.service === 'billing')).toHaveLength(6);
  for (const [n, line] of stored.entries()) {
    const { integrity, ...event } = events[n]!;
    expect(sealedLine(event as AuditEvent, integrity!.chain, integrity!.seq, integrity!.prev).line).toBe(
      line,
    );
  }
  const byId = new Map(events.map((e) => [e.id, e]));
  expect(heard.length).toBeGreaterThan(200);
  // As JSON: an event heard as the object it was keeps -0, which its line writes as 0.
  for (const e of heard) expect(JSON.parse(JSON.stringify(e))).toEqual(byId.get(e.id));

  const report = await verifyFiles([file], { publicKeys: [keys.publicKeyPem], expectClosed: true });
  expect(report.breaks).toEqual([]);
  expect(report.ok).toBe(true);
  // Most of each burst went as text: the path under test was taken.
  expect(asText.mock.results.filter((r) => r.value !== undefined).length).toBeGreaterThan(100);
  asText.mockRestore();
});

it('gives a JSON Lines console the lines the file gets, events queued as text for both', async () => {
  const file = join(dir, 'audit.jsonl');
  const stream = new PassThrough();
  let printed = '';
  stream.on('data', (chunk: Buffer) => {
    printed += chunk.toString('utf8');
  });
  const logger = createAuditLogger({
    service: 'queued-text',
    flushOnExit: false,
    sinks: [fileSink({ path: file }), consoleSink({ stream, pretty: false })],
    integrity: { signingKey: keys.privateKeyPem, checkpointEvery: 50 },
  });
  for (let i = 0; i < 400; i++) logger.log(awkward(i));
  await logger.close();
  expect(printed).toBe(readFileSync(file, 'utf8'));
  const report = await verifyFiles([file], { publicKeys: [keys.publicKeyPem], expectClosed: true });
  expect(report.ok).toBe(true);
});

describe('TextArena', () => {
  const event = (i: number): AuditEvent =>
    ({
      v: 1,
      id: newEventId(),
      time: '2026-12-07T10:00:00.000Z',
      type: 'order.updated',
      category: 'business',
      action: 'update',
      outcome: 'success',
      severity: 'info',
      actor: { type: 'user', id: `u-${i}` },
      source: { service: 'shop' },
      ...awkward(i),
    }) as AuditEvent;

  it('writes each event as its canonical halves, across chunks', () => {
    const arena = new TextArena();
    for (let i = 0; i < 2_000; i++) {
      const e = event(i);
      const text = arena.textOf(e, 700);
      expect(text).toBeDefined();
      expect(text!.text().json()).toBe(canonicalize(e));
    }
  });

  it('leaves to the object path what it cannot write as text', () => {
    const arena = new TextArena();
    expect(arena.textOf({ ...event(1), extra: 1 } as AuditEvent, 700)).toBeUndefined();
    expect(arena.textOf({ ...event(2), details: { n: 10n } } as unknown as AuditEvent, 700)).toBeUndefined();
    expect(arena.textOf(event(3), 200_000)).toBeUndefined();
    // An estimate too small for the room left never yields a partial record.
    const big = { ...event(4), details: { blob: 'y'.repeat(100_000) } } as AuditEvent;
    const text = arena.textOf(big, 10);
    if (text) expect(text.text().json()).toBe(canonicalize(big));
  });
});
