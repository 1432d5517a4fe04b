/**
 * Replay reads the spool in runs of adjacent records: a batch's worth of records comes back in
 * order within its event budget, and a record changed on disk since it was written is set aside
 * (reported, quarantined) while the records around it are still read.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { Spool, type SpoolProblem } from '../src/deliver/spool/spool';
import { tempDir } from './sink-helpers';

describe('spool replay reads', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  const open = (dir: string, problems: SpoolProblem[], segmentBytes = 1 << 20) =>
    Spool.open({
      dir: join(tmp.dir, dir),
      maxBytes: 1 << 30,
      segmentBytes,
      fsync: false,
      onProblem: (p) => problems.push(p),
    });
  const line = (i: number) => `{"i":${i}}\n`;
  const values = (payloads: Buffer[]) =>
    payloads.flatMap((p) =>
      p
        .toString('utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).i as number),
    );

  it('returns runs of records in order, within the event budget, across segments', async () => {
    // 3,000 one-event records (~60 KB) in segments of 8 KB: a run never crosses a segment's end.
    const spool = await open('runs', [], 8192);
    for (let i = 0; i < 3000; i += 100)
      await Promise.all(Array.from({ length: 100 }, (_, j) => spool.append(Buffer.from(line(i + j)))));
    expect(fs.readdirSync(join(tmp.dir, 'runs')).filter((f) => f.endsWith('.seg')).length).toBeGreaterThan(5);
    const seen: number[] = [];
    while (spool.readable > 0) {
      const payloads = await spool.peek(700);
      expect(payloads.length).toBeLessThanOrEqual(700);
      seen.push(...values(payloads));
      await spool.consume(payloads.length);
    }
    expect(seen).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    await spool.close();
  });

  it('sets aside a record changed on disk after it was written, and reads its neighbours', async () => {
    const problems: SpoolProblem[] = [];
    const spool = await open('changed', problems);
    await Promise.all(Array.from({ length: 100 }, (_, i) => spool.append(Buffer.from(line(i)))));
    const segment = join(tmp.dir, 'changed', '000000000001.seg');
    const bytes = fs.readFileSync(segment);
    // Record 50 starts at 50 × (12-byte header + its line); flip a byte of its payload.
    const at = Array.from({ length: 50 }, (_, i) => 12 + line(i).length).reduce((a, b) => a + b, 0);
    bytes[at + 12 + 2]! ^= 0xff;
    fs.writeFileSync(segment, bytes);
    const payloads = await spool.peek(1000);
    expect(values(payloads)).toEqual(Array.from({ length: 100 }, (_, i) => i).filter((i) => i !== 50));
    expect(spool.stats.corrupt).toBe(1);
    expect(problems).toEqual([expect.objectContaining({ kind: 'corrupt', bytes: 12 + line(50).length })]);
    expect(fs.existsSync(problems[0]!.file)).toBe(true);
    await spool.close();
  });
});
