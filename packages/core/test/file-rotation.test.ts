import * as fs from 'node:fs';
import * as path from 'node:path';
import { createBatch } from '../src/deliver/batch';
import { fileSink, listAuditFiles } from '../src/sinks/file';
import type { AuditEvent } from '../src/types';
import { auditEvents, readEvents, readText, tempDir } from './sink-helpers';

/** A settable clock for the `now` option. */
function clock(iso: string) {
  let current = new Date(iso);
  return {
    now: () => current,
    set: (next: string) => {
      current = new Date(next);
    },
  };
}

function allEvents(files: string[]): AuditEvent[] {
  return files.flatMap((f) => readEvents(f));
}

const ROTATED = /^audit\.\d{8}T\d{6}Z\.\d+\.jsonl(\.gz)?$/;

describe('file sink rotation', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  beforeEach(() => {
    tmp = tempDir();
    file = path.join(tmp.dir, 'audit.jsonl');
  });
  afterEach(() => {
    jest.restoreAllMocks();
    tmp.remove();
  });

  /** Writes `batches` batches of `size` events one after the other; returns every event. */
  async function writeBatches(sink: ReturnType<typeof fileSink>, batches: number, size: number) {
    const events = auditEvents(0, batches * size);
    for (let b = 0; b < batches; b++) await sink.write(createBatch(events.slice(b * size, (b + 1) * size)));
    return events;
  }

  it('rotates by size without splitting batches; files list oldest first with every event once', async () => {
    const batchBytes = Buffer.byteLength(createBatch(auditEvents(0, 2)).jsonl());
    const t = clock('2024-03-05T10:20:30.000Z');
    const sink = fileSink({ path: file, maxSize: batchBytes * 2 + 10, gzip: false, now: t.now });
    const events = await writeBatches(sink, 7, 2);
    await sink.close();

    const files = await listAuditFiles(file);
    // 2 batches fit in a file: 7 batches make 3 rotated files and a current one.
    expect(files.map((f) => path.basename(f))).toEqual([
      'audit.20240305T102030Z.0.jsonl',
      'audit.20240305T102030Z.1.jsonl',
      'audit.20240305T102030Z.2.jsonl',
      'audit.jsonl',
    ]);
    for (const f of files) expect(fs.statSync(f).size).toBeLessThanOrEqual(batchBytes * 2 + 10);
    expect(allEvents(files)).toEqual(events);
    expect(readEvents(file)).toEqual(events.slice(12));
  });

  it('writes a batch larger than maxSize whole, into a file of its own', async () => {
    const sink = fileSink({ path: file, maxSize: 100, gzip: false });
    await sink.write(createBatch(auditEvents(0, 1)));
    await sink.write(createBatch(auditEvents(1, 5)));
    await sink.close();

    const files = await listAuditFiles(file);
    expect(files).toHaveLength(2);
    expect(readEvents(files[0]!)).toEqual(auditEvents(0, 1));
    expect(readEvents(files[1]!)).toEqual(auditEvents(1, 5));
  });

  it('gzips rotated files in the background; close waits, and they gunzip to the original lines', async () => {
    const t = clock('2024-03-05T10:20:30.000Z');
    const batchBytes = Buffer.byteLength(createBatch(auditEvents(0, 3)).jsonl());
    const sink = fileSink({ path: file, maxSize: batchBytes, now: t.now });
    const batches = Array.from({ length: 4 }, (_, b) => auditEvents(b * 3, 3));
    for (const events of batches) await sink.write(createBatch(events));
    await sink.close();

    const names = fs.readdirSync(tmp.dir).sort();
    expect(names).toEqual([
      'audit.20240305T102030Z.0.jsonl.gz',
      'audit.20240305T102030Z.1.jsonl.gz',
      'audit.20240305T102030Z.2.jsonl.gz',
      'audit.jsonl',
    ]);
    const files = await listAuditFiles(file);
    expect(files.map((f) => path.basename(f))).toEqual(names);
    files.slice(0, 3).forEach((f, i) => {
      expect(readText(f)).toBe(createBatch(batches[i]!).jsonl());
      expect(fs.statSync(f).mode & 0o777).toBe(0o600);
    });
    expect(allEvents(files)).toEqual(batches.flat());
  });

  it('compresses at the zlib level `gzip` names, level 1 by default; a level outside 1 to 9 is refused', async () => {
    // The gzip header's XFL byte (offset 8) says how the deflate stream was made: 4 fastest, 2 best, 0 other.
    const xfl = async (gzip: boolean | number | undefined): Promise<number> => {
      const dir = path.join(tmp.dir, `level-${gzip}`);
      fs.mkdirSync(dir);
      const target = path.join(dir, 'audit.jsonl');
      const batchBytes = Buffer.byteLength(createBatch(auditEvents(0, 3)).jsonl());
      const sink = fileSink({ path: target, maxSize: batchBytes, gzip });
      await writeBatches(sink, 2, 3);
      await sink.close();
      const [rotated] = (await listAuditFiles(target)).filter((f) => f.endsWith('.gz'));
      return fs.readFileSync(rotated!)[8]!;
    };
    await expect(xfl(undefined)).resolves.toBe(4);
    await expect(xfl(true)).resolves.toBe(4);
    await expect(xfl(9)).resolves.toBe(2);
    await expect(xfl(6)).resolves.toBe(0);
    for (const bad of [0, 10, 2.5, 'fast'])
      expect(() => fileSink({ path: file, gzip: bad as number })).toThrow(
        expect.objectContaining({ code: 'AUDITKIT_INVALID_OPTION', option: 'gzip' }),
      );
    expect(() => fileSink({ path: file, gzip: 10 })).toThrow(
      'fileSink: `gzip` must be true, false or a zlib level from 1 to 9, got the number 10',
    );
  });

  it('rotates when the UTC day changes, naming the file after its last write', async () => {
    const t = clock('2024-03-05T23:59:58.000Z');
    const sink = fileSink({ path: file, gzip: false, now: t.now });
    await sink.write(createBatch(auditEvents(0, 2)));
    t.set('2024-03-05T23:59:59.500Z');
    await sink.write(createBatch(auditEvents(2, 2)));
    t.set('2024-03-06T00:00:01.000Z');
    await sink.write(createBatch(auditEvents(4, 2)));
    await sink.close();

    const files = await listAuditFiles(file);
    expect(files.map((f) => path.basename(f))).toEqual(['audit.20240305T235959Z.0.jsonl', 'audit.jsonl']);
    expect(readEvents(files[0]!)).toEqual(auditEvents(0, 4));
    expect(readEvents(file)).toEqual(auditEvents(4, 2));
  });

  it('does not rotate by day when rotateDaily is false', async () => {
    const t = clock('2024-03-05T12:00:00.000Z');
    const sink = fileSink({ path: file, rotateDaily: false, now: t.now });
    await sink.write(createBatch(auditEvents(0, 1)));
    t.set('2024-03-09T12:00:00.000Z');
    await sink.write(createBatch(auditEvents(1, 1)));
    await sink.close();

    expect(await listAuditFiles(file)).toEqual([file]);
    expect(readEvents(file)).toEqual(auditEvents(0, 2));
  });

  it('on startup rotates an existing file last written on an earlier UTC day, then appends anew', async () => {
    fs.writeFileSync(file, createBatch(auditEvents(0, 2)).jsonl());
    const yesterday = new Date('2024-03-04T08:00:00.000Z');
    fs.utimesSync(file, yesterday, yesterday);
    const t = clock('2024-03-05T09:00:00.000Z');
    const sink = fileSink({ path: file, gzip: false, now: t.now });
    await sink.write(createBatch(auditEvents(2, 2)));
    await sink.close();

    const files = await listAuditFiles(file);
    expect(files.map((f) => path.basename(f))).toEqual(['audit.20240304T080000Z.0.jsonl', 'audit.jsonl']);
    expect(readEvents(files[0]!)).toEqual(auditEvents(0, 2));
    expect(readEvents(file)).toEqual(auditEvents(2, 2));
  });

  it('on startup counts the existing file towards maxSize', async () => {
    const existing = createBatch(auditEvents(0, 3)).jsonl();
    fs.writeFileSync(file, existing);
    const next = createBatch(auditEvents(3, 1));
    const sink = fileSink({ path: file, gzip: false, maxSize: Buffer.byteLength(existing) + 10 });
    await sink.write(next);
    await sink.close();

    const files = await listAuditFiles(file);
    expect(files).toHaveLength(2);
    expect(readEvents(files[0]!)).toEqual(auditEvents(0, 3));
    expect(readEvents(file)).toEqual(auditEvents(3, 1));
  });

  it('keeps numbering after rotated files a previous process left, even if the clock went back', async () => {
    const batchBytes = Buffer.byteLength(createBatch(auditEvents(0, 1)).jsonl());
    const t = clock('2024-03-05T10:00:00.000Z');
    const first = fileSink({ path: file, gzip: false, maxSize: batchBytes, now: t.now });
    await writeBatches(first, 2, 1);
    await first.close();
    t.set('2024-03-05T09:00:00.000Z');
    fs.utimesSync(file, t.now(), t.now());
    const second = fileSink({ path: file, gzip: false, maxSize: batchBytes, now: t.now });
    await second.write(createBatch(auditEvents(2, 1)));
    await second.close();

    const files = await listAuditFiles(file);
    expect(files.map((f) => path.basename(f))).toEqual([
      'audit.20240305T100000Z.0.jsonl',
      'audit.20240305T100000Z.1.jsonl',
      'audit.jsonl',
    ]);
    expect(allEvents(files)).toEqual(auditEvents(0, 3));
  });

  it('with maxFiles, deletes the oldest rotated files', async () => {
    const batchBytes = Buffer.byteLength(createBatch(auditEvents(0, 1)).jsonl());
    const t = clock('2024-03-05T10:00:00.000Z');
    const sink = fileSink({ path: file, maxSize: batchBytes, maxFiles: 2, now: t.now });
    for (let i = 0; i < 6; i++) {
      t.set(`2024-03-05T10:00:0${i}.000Z`);
      await sink.write(createBatch(auditEvents(i, 1)));
    }
    await sink.close();

    const files = await listAuditFiles(file);
    expect(files.map((f) => path.basename(f))).toEqual([
      'audit.20240305T100003Z.0.jsonl.gz',
      'audit.20240305T100004Z.0.jsonl.gz',
      'audit.jsonl',
    ]);
    expect(allEvents(files)).toEqual(auditEvents(3, 3));
  });

  it('keeps every rotated file by default', async () => {
    const batchBytes = Buffer.byteLength(createBatch(auditEvents(0, 1)).jsonl());
    const sink = fileSink({ path: file, maxSize: batchBytes, gzip: false });
    const events = await writeBatches(sink, 12, 1);
    await sink.close();

    const files = await listAuditFiles(file);
    expect(files).toHaveLength(12);
    for (const f of files.slice(0, -1)) expect(path.basename(f)).toMatch(ROTATED);
    expect(allEvents(files)).toEqual(events);
  });

  it('compresses rotated files a previous process left uncompressed', async () => {
    const leftover = path.join(tmp.dir, 'audit.20240301T000000Z.0.jsonl');
    fs.writeFileSync(leftover, createBatch(auditEvents(0, 2)).jsonl());
    const sink = fileSink({ path: file });
    await sink.write(createBatch(auditEvents(2, 1)));
    await sink.close();

    expect(fs.existsSync(leftover)).toBe(false);
    const files = await listAuditFiles(file);
    expect(files.map((f) => path.basename(f))).toEqual(['audit.20240301T000000Z.0.jsonl.gz', 'audit.jsonl']);
    expect(allEvents(files)).toEqual(auditEvents(0, 3));
  });

  describe('a failing background gzip', () => {
    /** Makes the gzip of the first rotated file fail: its temporary name is taken by a directory. */
    function blockFirstGzip(): void {
      fs.mkdirSync(path.join(tmp.dir, 'audit.20240305T100000Z.0.jsonl.gz.tmp'));
    }

    it('leaves the plain rotated file in place and listed, and does not crash', async () => {
      blockFirstGzip();
      const t = clock('2024-03-05T10:00:00.000Z');
      const sink = fileSink({ path: file, maxSize: 1, now: t.now });
      await sink.write(createBatch(auditEvents(0, 1)));
      await sink.write(createBatch(auditEvents(1, 1)));
      await sink.close().catch(() => {});

      const files = await listAuditFiles(file);
      expect(files.map((f) => path.basename(f))).toEqual(['audit.20240305T100000Z.0.jsonl', 'audit.jsonl']);
      expect(allEvents(files)).toEqual(auditEvents(0, 2));
    });

    it('rejects close with the error when there is no onError', async () => {
      blockFirstGzip();
      const t = clock('2024-03-05T10:00:00.000Z');
      const sink = fileSink({ path: file, maxSize: 1, now: t.now });
      await sink.write(createBatch(auditEvents(0, 1)));
      await sink.write(createBatch(auditEvents(1, 1)));
      // The job runs in the background: close waits for it and reports it.
      await expect(sink.close()).rejects.toMatchObject({ code: 'EISDIR' });
    });

    it('goes to onError instead, when given', async () => {
      blockFirstGzip();
      const errors: Error[] = [];
      const t = clock('2024-03-05T10:00:00.000Z');
      const sink = fileSink({ path: file, maxSize: 1, now: t.now, onError: (e) => errors.push(e) });
      await sink.write(createBatch(auditEvents(0, 1)));
      await sink.write(createBatch(auditEvents(1, 1)));
      await sink.close();

      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: 'EISDIR' });
    });
  });

  it('keeps writing to the current file when a rotation fails, and reports it', async () => {
    const errors: Error[] = [];
    const t = clock('2024-03-05T10:00:00.000Z');
    const sink = fileSink({
      path: file,
      maxSize: 1,
      gzip: false,
      now: t.now,
      onError: (e) => errors.push(e),
    });
    await sink.write(createBatch(auditEvents(0, 1)));
    jest
      .spyOn(fs.promises, 'rename')
      .mockRejectedValueOnce(Object.assign(new Error('busy'), { code: 'EBUSY' }));
    await sink.write(createBatch(auditEvents(1, 1)));
    await sink.write(createBatch(auditEvents(2, 1)));
    await sink.close();

    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['EBUSY']);
    const files = await listAuditFiles(file);
    expect(allEvents(files)).toEqual(auditEvents(0, 3));
    expect(readEvents(file)).toEqual(auditEvents(2, 1));
  });
});
