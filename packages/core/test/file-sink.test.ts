import * as fs from 'node:fs';
import * as path from 'node:path';
import { createBatch } from '../src/deliver/batch';
import { fileSink, listAuditFiles } from '../src/sinks/file';
import type { Batch } from '../src/types';
import { auditEvents, readEvents, tempDir } from './sink-helpers';

describe('file sink', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.remove());

  it('appends each batch as JSON Lines that parse back to the events', async () => {
    const file = path.join(tmp.dir, 'audit.jsonl');
    const sink = fileSink({ path: file });
    const first = auditEvents(0, 3);
    const second = auditEvents(3, 2);
    await sink.write(createBatch(first));
    await sink.write(createBatch(second));
    await sink.close();

    expect(readEvents(file)).toEqual([...first, ...second]);
    expect(fs.readFileSync(file, 'utf8')).toBe(createBatch(first).jsonl() + createBatch(second).jsonl());
    expect(sink.name).toBe('file');
    expect(sink.path).toBe(path.resolve(file));
    expect(sink.bytesWritten).toBe(fs.statSync(file).size);
  });

  it('creates missing parent directories with mode 0700 and the file with mode 0600', async () => {
    const file = path.join(tmp.dir, 'a', 'b', 'audit.jsonl');
    const sink = fileSink({ path: file, name: 'records' });
    await sink.write(createBatch(auditEvents(0, 1)));
    await sink.close();

    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(tmp.dir, 'a')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(tmp.dir, 'a', 'b')).mode & 0o777).toBe(0o700);
    expect(sink.name).toBe('records');
  });

  it('keeps batches in call order when writes are not awaited', async () => {
    const file = path.join(tmp.dir, 'audit.jsonl');
    const sink = fileSink({ path: file, fsync: true });
    const batches = Array.from({ length: 20 }, (_, b) => auditEvents(b * 5, 5));
    await Promise.all(batches.map((events) => sink.write(createBatch(events))));
    await sink.close();

    expect(readEvents(file)).toEqual(batches.flat());
  });

  it('appends to a file that already exists instead of truncating it', async () => {
    const file = path.join(tmp.dir, 'audit.jsonl');
    const first = fileSink({ path: file });
    await first.write(createBatch(auditEvents(0, 2)));
    await first.close();
    const second = fileSink({ path: file });
    await second.write(createBatch(auditEvents(2, 2)));
    await second.close();

    expect(readEvents(file)).toEqual(auditEvents(0, 4));
    expect(await listAuditFiles(file)).toEqual([file]);
  });

  it('writeSync appends synchronously, after batches still queued, in call order', async () => {
    const file = path.join(tmp.dir, 'audit.jsonl');
    const sink = fileSink({ path: file });
    // Not awaited: the sink is still opening the file when writeSync runs, as at process exit.
    const queued = sink.write(createBatch(auditEvents(0, 2)));
    sink.writeSync(createBatch(auditEvents(2, 2)));
    expect(readEvents(file)).toEqual(auditEvents(0, 4));
    await queued;
    await sink.write(createBatch(auditEvents(4, 1)));
    await sink.close();

    expect(readEvents(file)).toEqual(auditEvents(0, 5));
  });

  it('flush resolves once every write issued so far is in the file', async () => {
    const file = path.join(tmp.dir, 'audit.jsonl');
    const sink = fileSink({ path: file });
    void sink.write(createBatch(auditEvents(0, 3)));
    void sink.write(createBatch(auditEvents(3, 3)));
    await sink.flush();
    expect(readEvents(file)).toEqual(auditEvents(0, 6));
    await sink.close();
  });

  it('rejects writes after close, and close is idempotent', async () => {
    const file = path.join(tmp.dir, 'audit.jsonl');
    const sink = fileSink({ path: file });
    await sink.write(createBatch(auditEvents(0, 1)));
    const closing = sink.close();
    expect(sink.close()).toBe(closing);
    await closing;

    await expect(sink.write(createBatch(auditEvents(1, 1)))).rejects.toThrow(/closed/);
    expect(() => sink.writeSync(createBatch(auditEvents(1, 1)))).toThrow(/closed/);
    expect(readEvents(file)).toEqual(auditEvents(0, 1));
  });

  it('rejects with the file system error when the directory cannot be created, without throwing', async () => {
    const blocker = path.join(tmp.dir, 'not-a-dir');
    fs.writeFileSync(blocker, 'x');
    const sink = fileSink({ path: path.join(blocker, 'audit.jsonl') });
    const batch = createBatch(auditEvents(0, 1));

    let pending: Promise<void> | undefined;
    expect(() => {
      pending = sink.write(batch);
    }).not.toThrow();
    await expect(pending).rejects.toMatchObject({ code: expect.stringMatching(/^(ENOTDIR|EEXIST)$/) });
    // The pipeline retries: the next attempt fails the same way rather than wedging the sink.
    await expect(sink.write(batch)).rejects.toMatchObject({ code: expect.any(String) });
    expect(() => sink.writeSync(batch)).toThrow();
    await expect(sink.close()).resolves.toBeUndefined();
  });

  it('rejects, not throws, when the batch cannot be encoded', async () => {
    const sink = fileSink({ path: path.join(tmp.dir, 'audit.jsonl') });
    const broken: Batch = {
      events: [],
      jsonl: () => {
        throw new Error('cannot encode');
      },
    };
    await expect(sink.write(broken)).rejects.toThrow('cannot encode');
    await sink.close();
  });

  it('requires a path', () => {
    expect(() => fileSink({} as never)).toThrow(/path/);
  });
});
