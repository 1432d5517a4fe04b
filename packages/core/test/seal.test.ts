import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuditEvent,
  type AuditLoggerOptions,
  type AuditSink,
  CHAIN_STARTED_TYPE,
  CHECKPOINT_TYPE,
  canonicalize,
  createAuditLogger,
  expectedHash,
  fileSink,
  generateSigningKeys,
  memorySink,
  verifyFiles,
} from '@auditkit/core';
import reference from 'canonicalize';
import fc from 'fast-check';

const keys = generateSigningKeys();
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-seal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writer(options: AuditLoggerOptions = {}) {
  const path = join(dir, 'audit.jsonl');
  const memory = memorySink();
  const logger = createAuditLogger({
    service: 'orders',
    instance: 'node-a',
    flushOnExit: false,
    batch: { maxWaitMs: 1 },
    sinks: [fileSink({ path }), memory],
    ...options,
    integrity: options.integrity === false ? false : { signingKey: keys.privateKeyPem, ...options.integrity },
  });
  return { logger, path, memory };
}

const lines = (path: string): AuditEvent[] =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as AuditEvent);

describe('seal', () => {
  it('chains every event by hash, gap-free from seq 0, identically in every sink', async () => {
    const { logger, path, memory } = writer();
    for (let i = 0; i < 10; i++) logger.log({ type: 'order.created', details: { n: i } });
    await logger.close();
    const stored = lines(path);
    expect(stored.map((e) => e.integrity!.seq)).toEqual([...Array(11).keys()]);
    stored.forEach((e, i) => {
      expect(e.integrity!.prev).toBe(i === 0 ? null : stored[i - 1]!.integrity!.hash);
      expect(expectedHash(e)).toBe(e.integrity!.hash);
    });
    expect(memory.events).toEqual(stored);
    expect(stored.at(-1)!.type).toBe(CHECKPOINT_TYPE);
    expect(logger.stats().integrity).toMatchObject({ seq: 10, checkpoints: 1, lastCheckpointSeq: 9 });
  });

  it('stores each event as its canonical JSON, so the stored line is exactly what was hashed', async () => {
    const { logger, path } = writer();
    logger.log({ type: 'order.created', details: { z: 1, a: { y: 2, b: 3 } } });
    await logger.close();
    const first = readFileSync(path, 'utf8').split('\n')[0]!;
    const keysInOrder = Object.keys(JSON.parse(first) as object);
    expect(keysInOrder).toEqual([...keysInOrder].sort());
    expect(first).toContain('"details":{"a":{"b":3,"y":2},"z":1}');
  });

  it('seals own fields only when Object.prototype carries an enumerable key', async () => {
    const { logger, path } = writer();
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 'inherited';
    try {
      logger.log({ type: 'order.created', details: { z: 1, a: { y: 2, b: 3 } } });
      await logger.close();
    } finally {
      delete proto.polluted;
    }
    const first = readFileSync(path, 'utf8').split('\n')[0]!;
    expect(first).not.toContain('polluted');
    expect(first).toContain('"details":{"a":{"b":3,"y":2},"z":1}');
    const event = JSON.parse(first) as AuditEvent;
    expect(event.integrity!.hash).toBe(expectedHash(event));
  });

  it('signs a checkpoint every N events and on close, each covering the Merkle root of all before it', async () => {
    const { logger, path } = writer({ integrity: { checkpointEvery: 4 } });
    for (let i = 0; i < 10; i++) logger.log({ type: 't' });
    await logger.close();
    const stored = lines(path);
    const checkpoints = stored.filter((e) => e.type === CHECKPOINT_TYPE);
    expect(checkpoints.map((c) => (c.details as { checkpoint: { size: number } }).checkpoint.size)).toEqual([
      4, 9, 12,
    ]);
    const report = await verifyFiles([path], { publicKeys: [keys.publicKeyPem] });
    expect(report).toMatchObject({ ok: true, events: 13, signaturesChecked: true });
    expect(report.chains[0]).toMatchObject({
      checkpoints: 3,
      uncovered: 0,
      lastCheckpoint: { size: 12, signatureChecked: true },
    });
  });

  it('a restarted writer with the same instance continues its chain after a clean close', async () => {
    const a = writer();
    a.logger.log({ type: 'first.run' });
    await a.logger.close();
    const b = writer();
    b.logger.log({ type: 'second.run' });
    await b.logger.close();
    const stored = lines(a.path);
    expect(new Set(stored.map((e) => e.integrity!.chain)).size).toBe(1);
    expect(stored.map((e) => e.integrity!.seq)).toEqual([0, 1, 2, 3]);
    const report = await verifyFiles([a.path], { publicKeys: [keys.publicKeyPem], expectClosed: true });
    expect(report.ok).toBe(true);
  });

  it('a writer that cannot continue (another instance, or a crash) starts a new chain naming the last head', async () => {
    const a = writer();
    a.logger.log({ type: 'first.run' });
    await a.logger.close();
    const b = writer({ instance: 'node-b' });
    b.logger.log({ type: 'second.run' });
    await b.logger.close();
    const stored = lines(a.path);
    const chains = [...new Set(stored.map((e) => e.integrity!.chain))];
    expect(chains).toHaveLength(2);
    const started = stored.find((e) => e.type === CHAIN_STARTED_TYPE)!;
    expect(started.integrity).toMatchObject({ chain: chains[1], seq: 0 });
    expect(started.details).toEqual({
      previous: { chain: chains[0], seq: 1, hash: stored[1]!.integrity!.hash },
    });
    const report = await verifyFiles([a.path], { publicKeys: [keys.publicKeyPem], expectClosed: true });
    expect(report.ok).toBe(true);
    expect(report.chains[1]!.follows).toEqual(started.details!.previous);
  });

  it('resumes across rotated and gzipped files', async () => {
    const path = join(dir, 'audit.jsonl');
    const make = () =>
      createAuditLogger({
        service: 'orders',
        instance: 'node-a',
        flushOnExit: false,
        batch: { maxWaitMs: 1, maxEvents: 5 },
        sinks: [fileSink({ path, maxSize: 2000, gzip: true })],
        integrity: { signingKey: keys.privateKeyPem },
      });
    const a = make();
    for (let i = 0; i < 30; i++) a.log({ type: 'order.created', details: { pad: 'x'.repeat(100) } });
    await a.close();
    const b = make();
    b.log({ type: 'after.restart' });
    await b.close();
    const report = await verifyFiles([path], { publicKeys: [keys.publicKeyPem], expectClosed: true });
    expect(report).toMatchObject({ ok: true, events: 33 });
    expect(report.chains).toHaveLength(1);
  });

  it('writes canonical JSON whatever callers log: odd keys, index-like keys, unicode, nesting, errors', async () => {
    const lines: string[] = [];
    const capture: AuditSink = {
      name: 'capture',
      write: (b) => void lines.push(...b.jsonl().split('\n').filter(Boolean)),
      close: async () => {},
    };
    const logger = createAuditLogger({ service: 'svc', flushOnExit: false, sinks: [capture] });
    const anyInput = fc.record(
      {
        type: fc.string({ minLength: 1, maxLength: 20 }),
        message: fc.string(),
        actor: fc.record({ id: fc.string(), roles: fc.array(fc.string()) }, { requiredKeys: [] }),
        tenant: fc.string(),
        resource: fc.dictionary(fc.string(), fc.jsonValue()),
        details: fc.dictionary(
          fc.oneof(fc.string(), fc.constantFrom('10', '2', '0', 'z', 'A', 'é', '__proto__', 'constructor')),
          fc.jsonValue(),
        ),
        changes: fc.record({ before: fc.jsonValue(), after: fc.jsonValue() }),
        error: fc.constantFrom(undefined, new Error('boom'), Object.assign(new Error('x'), { code: 'E1' })),
      },
      { requiredKeys: ['type'] },
    );
    const inputs = fc.sample(anyInput, { numRuns: 300, seed: 42 });
    for (const input of inputs) logger.log(input as never);
    await logger.close();
    expect(lines.length).toBe(inputs.length);
    for (const line of lines) {
      const event = JSON.parse(line) as AuditEvent;
      expect(canonicalize(event)).toBe(line);
      expect(reference(event)).toBe(line);
      expect(expectedHash(event)).toBe(event.integrity!.hash);
    }
  });

  it('can be turned off', async () => {
    const { logger, memory } = writer({ integrity: false });
    logger.log({ type: 't' });
    await logger.close();
    expect(memory.events[0]!.integrity).toBeUndefined();
    expect(logger.stats().integrity).toBeUndefined();
  });

  it('without a signing key chains events but writes no checkpoints (nobody could check them)', async () => {
    const path = join(dir, 'audit.jsonl');
    const logger = createAuditLogger({ service: 's', flushOnExit: false, sinks: [fileSink({ path })] });
    logger.log({ type: 't' });
    await logger.close();
    const stored = lines(path);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.integrity!.seq).toBe(0);
  });

  it('rejects a signing key that is not Ed25519 with a clear error', () => {
    expect(() => createAuditLogger({ service: 's', sinks: [], integrity: { signingKey: 'nope' } })).toThrow(
      /integrity.signingKey must be PEM text or the path of a PEM file/,
    );
  });
});
