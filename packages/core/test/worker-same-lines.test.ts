import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLogger, fileSink, generateSigningKeys, verifyFiles } from '../src';
import { sealedLine } from '../src/seal/sealer';
import type { AuditEvent } from '../src/types';
import { awkwardInput } from './helpers';
import { workerSuite } from './worker-helpers';

const lines = (file: string): string[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);

/** An event without the fields that differ from one write to the next. */
function comparable(line: string): unknown {
  const { id: _id, time: _time, integrity: _i, details, ...rest } = JSON.parse(line) as AuditEvent;
  const d = details as Record<string, unknown> | undefined;
  // A checkpoint's details carry hashes, ids and times of its own chain.
  return rest.type === 'audit.checkpoint' ? rest : { ...rest, details: d };
}

workerSuite('worker option: the trail it writes', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'auditkit-worker-lines-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores each event as the canonical sealed line, the same as the caller-thread pipeline', async () => {
    const keys = generateSigningKeys();
    const write = async (file: string, worker: boolean): Promise<string[]> => {
      const logger = createAuditLogger({
        service: 'worker-lines',
        instance: 'one',
        sinks: [fileSink({ path: file })],
        integrity: { signingKey: keys.privateKeyPem, checkpointEvery: 50 },
        worker,
      });
      for (let i = 0; i < 300; i++) logger.log(awkwardInput(i));
      await logger.close();
      return lines(file);
    };
    const inThread = await write(join(dir, 'thread.jsonl'), false);
    const viaWorker = await write(join(dir, 'worker.jsonl'), true);

    expect(viaWorker).toHaveLength(inThread.length);
    expect(viaWorker.map(comparable)).toEqual(inThread.map(comparable));
    // Byte for byte: every stored line is what the seal stage makes of the event it holds.
    for (const line of viaWorker) {
      const { integrity, ...event } = JSON.parse(line) as AuditEvent;
      expect(sealedLine(event as AuditEvent, integrity!.chain, integrity!.seq, integrity!.prev).line).toBe(
        line,
      );
    }
    for (const file of ['thread.jsonl', 'worker.jsonl']) {
      const report = await verifyFiles([join(dir, file)], {
        publicKeys: [keys.publicKeyPem],
        expectClosed: true,
      });
      expect(report.breaks).toEqual([]);
      expect(report.ok).toBe(true);
    }
  });
});
