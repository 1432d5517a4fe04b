import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { createBatch } from '../src/deliver/batch';
import { type ConsoleStream, consoleSink } from '../src/sinks/console';
import { auditEvent, auditEvents, tempDir } from './sink-helpers';

/** A real Writable that records every chunk; `delayMs` delays each write callback. */
function collector(options: { highWaterMark?: number; delayMs?: number; isTTY?: boolean } = {}) {
  const chunks: string[] = [];
  const stream = new Writable({
    highWaterMark: options.highWaterMark ?? 16384,
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      if (options.delayMs === undefined) callback();
      else setTimeout(callback, options.delayMs);
    },
  });
  if (options.isTTY) Object.assign(stream, { isTTY: true });
  return { stream: stream as Writable & ConsoleStream, text: () => chunks.join(''), chunks };
}

const ESC = '\u001b[';

describe('console sink', () => {
  const savedNoColor = process.env.NO_COLOR;
  afterEach(() => {
    if (savedNoColor === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = savedNoColor;
  });

  it('writes JSON Lines when the stream is not a terminal', async () => {
    const out = collector();
    const sink = consoleSink({ stream: out.stream });
    const events = auditEvents(0, 3);
    await sink.write(createBatch(events));
    await sink.close();

    const lines = out.text().trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(events);
    expect(out.chunks).toHaveLength(1);
    expect(sink.name).toBe('console');
  });

  it('pretty mode writes one readable line per event, without JSON', async () => {
    const out = collector();
    const sink = consoleSink({ stream: out.stream, pretty: true, name: 'dev' });
    await sink.write(
      createBatch([
        auditEvent(1, {
          type: 'http.request',
          severity: 'warning',
          outcome: 'failure',
          message: 'Forbidden',
          actor: { type: 'user', id: 'alice' },
          resource: { type: 'invoice', id: '42' },
          request: {
            protocol: 'http',
            method: 'DELETE',
            path: '/invoices/42',
            status: 403,
            durationMs: 12.4,
          },
        }),
        auditEvent(2, { type: 'auth.login', actor: { type: 'anonymous' }, message: undefined }),
      ]),
    );
    await sink.close();

    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      '2024-01-01T00:00:00.001Z WARNING  http.request failure actor=user:alice resource=invoice/42 DELETE /invoices/42 403 12ms Forbidden',
    );
    expect(lines[1]).toBe('2024-01-01T00:00:00.002Z INFO     auth.login success actor=anonymous');
    expect(out.text()).not.toMatch(/[{}]/);
    expect(out.text()).not.toContain(ESC);
    expect(sink.name).toBe('dev');
  });

  it('is pretty and colored by default on a terminal', async () => {
    delete process.env.NO_COLOR;
    const out = collector({ isTTY: true });
    const sink = consoleSink({ stream: out.stream });
    await sink.write(createBatch([auditEvent(1, { severity: 'error', outcome: 'failure' })]));
    await sink.close();

    expect(out.text()).toContain(`${ESC}31mERROR   ${ESC}0m`);
    expect(out.text()).toContain(`${ESC}1mdata.update${ESC}0m`);
    expect(out.text()).not.toContain('{');
  });

  it('honours NO_COLOR', async () => {
    process.env.NO_COLOR = '1';
    const out = collector({ isTTY: true });
    const sink = consoleSink({ stream: out.stream });
    await sink.write(createBatch([auditEvent(1)]));
    await sink.close();

    expect(out.text()).toContain('INFO     data.update success');
    expect(out.text()).not.toContain(ESC);
  });

  it('escapes control characters from event fields, so events cannot drive the terminal', async () => {
    const out = collector({ isTTY: true });
    const sink = consoleSink({ stream: out.stream, colors: false });
    await sink.write(createBatch([auditEvent(1, { message: 'evil\u001b[2J\nnext' })]));
    await sink.close();

    expect(out.text()).toContain('evil\\u001b[2J\\u000anext\n');
    expect(out.text().split('\n')).toHaveLength(2);
  });

  it('waits for drain under backpressure and still delivers every chunk', async () => {
    const out = collector({ highWaterMark: 1, delayMs: 5 });
    const sink = consoleSink({ stream: out.stream });
    const batches = Array.from({ length: 5 }, (_, b) => auditEvents(b * 2, 2));
    let drains = 0;
    out.stream.on('drain', () => drains++);
    for (const events of batches) {
      const before = drains;
      await sink.write(createBatch(events));
      // write() returned false on a full stream, so the promise resolved on 'drain'.
      expect(drains).toBe(before + 1);
    }
    await sink.close();

    const lines = out.text().trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(batches.flat());
  });

  it('flush waits until the stream processed every chunk', async () => {
    const out = collector({ delayMs: 20 });
    const sink = consoleSink({ stream: out.stream });
    await sink.write(createBatch(auditEvents(0, 1)));
    expect(out.stream.writableLength).toBeGreaterThan(0);
    await sink.flush!();
    expect(out.stream.writableLength).toBe(0);
    await sink.close();
  });

  it('rejects the write when the stream fails, without crashing the process', async () => {
    const stream = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('EPIPE-like failure'));
      },
    });
    const sink = consoleSink({ stream });
    await expect(sink.write(createBatch(auditEvents(0, 1)))).rejects.toThrow('EPIPE-like failure');
    await sink.close();
  });

  it('does not end the stream on close, and refuses writes afterwards', async () => {
    const out = collector();
    const sink = consoleSink({ stream: out.stream });
    await sink.write(createBatch(auditEvents(0, 1)));
    await sink.close();
    await sink.close();

    expect(out.stream.writableEnded).toBe(false);
    expect(out.stream.listenerCount('error')).toBe(0);
    await expect(sink.write(createBatch(auditEvents(1, 1)))).rejects.toThrow(/closed/);
    expect(() => sink.writeSync!(createBatch(auditEvents(1, 1)))).toThrow(/closed/);
  });

  it('writeSync goes through stream.write when the stream has no fd', () => {
    const out = collector();
    const sink = consoleSink({ stream: out.stream });
    sink.writeSync!(createBatch(auditEvents(0, 2)));
    expect(out.text()).toBe(createBatch(auditEvents(0, 2)).jsonl());
  });

  it('writeSync writes straight to the fd when the stream has one', async () => {
    const tmp = tempDir();
    try {
      const file = path.join(tmp.dir, 'out.log');
      const fd = fs.openSync(file, 'a');
      const out = collector();
      Object.assign(out.stream, { fd });
      const sink = consoleSink({ stream: out.stream, pretty: true });
      sink.writeSync!(createBatch(auditEvents(0, 2)));
      fs.closeSync(fd);

      expect(out.chunks).toEqual([]);
      const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toContain('data.update success actor=user:u-0');
      await sink.close();
    } finally {
      tmp.remove();
    }
  });
});
