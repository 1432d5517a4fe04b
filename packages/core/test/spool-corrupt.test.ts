/**
 * A damaged spool: one record with a flipped byte, a torn last record (a crash mid-write). Both
 * are reported and quarantined; the intact records are replayed once, and never again.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { type AuditError, createAuditLogger, fileSink } from '../src';
import { readEvents, tempDir } from './sink-helpers';

/** Record boundaries of a segment: `magic(4) | length(4) | crc32(4) | payload`. */
function records(file: string): Array<{ at: number; length: number; ids: string[] }> {
  const buf = fs.readFileSync(file);
  const out: Array<{ at: number; length: number; ids: string[] }> = [];
  for (let at = 0; at < buf.length; ) {
    const length = buf.readUInt32BE(at + 4);
    const payload = buf.subarray(at + 12, at + 12 + length).toString('utf8');
    out.push({
      at,
      length,
      ids: payload
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).id),
    });
    at += 12 + length;
  }
  return out;
}

describe('a corrupted spool', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it('reports and quarantines a flipped byte and a torn tail, replays the intact records once', async () => {
    const target = join(tmp.dir, 'audit.jsonl');
    const spoolDir = join(tmp.dir, 'spool');
    fs.mkdirSync(target); // a directory where the file should be: every write fails (EISDIR)
    const options = {
      service: 'spool',
      instance: 's-1',
      flushOnExit: false,
      integrity: false as const,
      spool: { dir: spoolDir },
      batch: { maxEvents: 10, maxWaitMs: 1 },
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 500 },
      breaker: { failureThreshold: 1, cooldownMs: 60_000 },
    };
    const first = createAuditLogger({ ...options, sinks: [fileSink({ path: target })], onError: () => {} });
    for (let b = 0; b < 5; b++) {
      for (let i = 0; i < 10; i++) first.log({ type: 'doc.signed', details: { b, i } });
      await first.flush();
    }
    await first.close();
    expect(first.stats().sinks[0]).toMatchObject({ spooled: 50, failed: 0, delivered: 0 });

    const segment = join(spoolDir, 'sinks', 'file', '000000000001.seg');
    const recs = records(segment);
    expect(recs).toHaveLength(5);
    const bytes = fs.readFileSync(segment);
    bytes[recs[1]!.at + 12 + 40]! ^= 0xff; // flip a payload byte of the second record
    fs.writeFileSync(segment, bytes.subarray(0, recs[4]!.at + 12 + 20)); // cut the last one short
    fs.rmdirSync(target); // the sink works again

    const errors: AuditError[] = [];
    const second = createAuditLogger({
      ...options,
      sinks: [fileSink({ path: target })],
      onError: (e) => errors.push(e),
    });
    await second.flush();
    await second.close();

    // Counts checked: 50 spooled; 1 corrupt and 1 torn record reported and quarantined;
    // the 3 intact records (30 events) delivered, each once, in order.
    const spool = second.stats().sinks[0]!.spool!;
    expect(spool).toMatchObject({ corrupt: 1, torn: 1, records: 0, events: 0 });
    expect(errors.filter((e) => e.kind === 'spool').map((e) => e.message)).toEqual([
      expect.stringContaining('fails its checksum'),
      expect.stringContaining('incomplete record at the end'),
    ]);
    expect(fs.readdirSync(join(spoolDir, 'sinks', 'file', 'quarantine'))).toHaveLength(2);
    const delivered = readEvents(target).map((e) => e.id);
    expect(delivered).toEqual([...recs[0]!.ids, ...recs[2]!.ids, ...recs[3]!.ids]);
    expect(second.stats().sinks[0]).toMatchObject({ replayed: 30, failed: 0 });
    expect(second.health().reasons).toContain(
      'spool of sink "file": 1 corrupt and 1 torn records quarantined',
    );

    // A third start finds nothing to replay and nothing new to report.
    const thirdErrors: AuditError[] = [];
    const third = createAuditLogger({
      ...options,
      sinks: [fileSink({ path: target })],
      onError: (e) => thirdErrors.push(e),
    });
    await third.flush();
    await third.close();
    expect(thirdErrors).toEqual([]);
    expect(third.stats().sinks[0]).toMatchObject({ replayed: 0 });
    expect(readEvents(target)).toHaveLength(30);
  });
});
