/**
 * A crash between a sink's write and the spool's cursor update leaves records in the spool that
 * the sink already holds. The restarted logger replays from after the sink's newest event: every
 * id is written once, and the chain goes on from the spool.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AuditLoggerOptions, createAuditLogger, fileSink, verifyFiles } from '../src';
import { tempDir } from './sink-helpers';

describe('durable mode: replay after a crash writes no id twice', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  const ids = (file: string) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l).id as string);

  it.each([
    ['every spooled record', 50],
    ['the first 20 events of the spooled records', 20],
  ])('when the file already holds %s', async (_what, kept) => {
    const dir = join(tmp.dir, String(kept));
    const file = join(dir, 'audit.jsonl');
    const options = (): AuditLoggerOptions => ({
      service: 'd',
      instance: 'd-1',
      flushOnExit: false,
      durable: true,
      sinks: [fileSink({ path: file })],
      spool: { dir: join(dir, 'spool') },
    });
    const first = createAuditLogger(options());
    const logged = await Promise.all(
      Array.from({ length: 50 }, (_, i) => first.logDurable({ type: 'x', details: { i } })),
    );
    await first.close();
    const written = ids(file);
    expect(written).toEqual(logged);
    // The crash: the file got (part of) the records, the cursor never moved past them.
    writeFileSync(file, `${readFileSync(file, 'utf8').split('\n').slice(0, kept).join('\n')}\n`);
    rmSync(join(dir, 'spool', 'sinks', 'file', 'cursor.json'));

    const second = createAuditLogger(options());
    const more = await second.logDurable({ type: 'after.restart' });
    await second.close();
    const after = ids(file);
    // Counts checked: the first process's 50 events once each, then the second process's own.
    expect(after.slice(0, 50)).toEqual(written);
    expect(new Set(after).size).toBe(after.length);
    expect(after).toEqual(expect.arrayContaining([...logged, more]));
    const report = await verifyFiles([file]);
    expect(report.breaks).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
