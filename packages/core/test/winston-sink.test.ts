import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import winston from 'winston';
import type TransportStream from 'winston-transport';
import { createBatch } from '../src/deliver/batch';
import { type WinstonEntry, winstonSink } from '../src/sinks/winston';
import type { AuditEvent, Severity } from '../src/types';
import { auditEvent, auditEvents, tempDir } from './sink-helpers';

interface LoggedEntry {
  level: string;
  message: string;
  [key: string]: unknown;
}

/** A real winston logger writing JSON lines into a collecting Writable. */
function streamLogger(options: { levels?: winston.config.AbstractConfigSetLevels } = {}) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const logger = winston.createLogger({
    level: 'debug',
    ...(options.levels ? { levels: options.levels } : {}),
    format: winston.format.json(),
    transports: [new winston.transports.Stream({ stream })],
  });
  return { logger, entries: () => lines.map((l) => JSON.parse(l) as LoggedEntry) };
}

/** winston re-exports winston-transport as `winston.Transport`; its typings do not say so. */
const Transport = (winston as unknown as { Transport: typeof TransportStream }).Transport;

const SEVERITIES: Severity[] = ['debug', 'info', 'notice', 'warning', 'error', 'critical'];

function oneEventPerSeverity(): AuditEvent[] {
  return SEVERITIES.map((severity, i) => auditEvent(i, { severity }));
}

describe('winston sink', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.remove());

  it('maps severities to npm levels and carries the whole event under `audit`', async () => {
    const { logger, entries } = streamLogger();
    const sink = winstonSink({ logger });
    const events = oneEventPerSeverity();
    events[1] = auditEvent(1, { message: undefined, type: 'auth.login' });
    await sink.write(createBatch(events));
    await sink.close();

    const logged = entries();
    expect(logged.map((e) => e.level)).toEqual(['debug', 'info', 'info', 'warn', 'error', 'error']);
    expect(logged.map((e) => e.message)).toEqual([
      'event 0',
      'auth.login',
      'event 2',
      'event 3',
      'event 4',
      'event 5',
    ]);
    expect(logged.map((e) => e.audit)).toEqual(events);
    expect(sink.name).toBe('winston');
    logger.close();
  });

  it('takes level overrides and another key for the event', async () => {
    const { logger, entries } = streamLogger();
    const sink = winstonSink({
      logger,
      key: 'event',
      levels: { notice: 'verbose', critical: 'warn' },
      name: 'w',
    });
    const events = oneEventPerSeverity();
    await sink.write(createBatch(events));
    await sink.close();

    const logged = entries();
    expect(logged.map((e) => e.level)).toEqual(['debug', 'info', 'verbose', 'warn', 'error', 'warn']);
    expect(logged.map((e) => e.event)).toEqual(events);
    expect(logged.every((e) => !('audit' in e))).toBe(true);
    expect(sink.name).toBe('w');
    logger.close();
  });

  it('uses syslog level names with a syslog-levelled logger', async () => {
    const { logger, entries } = streamLogger({ levels: winston.config.syslog.levels });
    const sink = winstonSink({ logger });
    await sink.write(createBatch(oneEventPerSeverity()));
    await sink.close();

    expect(entries().map((e) => e.level)).toEqual(['debug', 'info', 'notice', 'warning', 'error', 'crit']);
    logger.close();
  });

  it('gives each entry its own copy of the event, so a mutating format cannot change it', async () => {
    const received: WinstonEntry[] = [];
    // Any object with log(entry) fits, not only winston loggers.
    const sink = winstonSink({ logger: { log: (entry) => received.push(entry) } });
    const event = auditEvent(7);
    const snapshot = structuredClone(event);
    await sink.write(createBatch([event]));
    (received[0]!.audit as AuditEvent).actor.id = 'mallory';

    expect(received[0]!.audit).not.toBe(event);
    expect(event).toEqual(snapshot);
    await sink.close();
  });

  it('does not end the logger on close by default, and refuses writes afterwards', async () => {
    const { logger, entries } = streamLogger();
    const sink = winstonSink({ logger });
    await sink.write(createBatch(auditEvents(0, 1)));
    await sink.close();

    expect(logger.writable).toBe(true);
    logger.info('still usable');
    await expect(sink.write(createBatch(auditEvents(1, 1)))).rejects.toThrow(/closed/);
    expect(() => sink.writeSync!(createBatch(auditEvents(1, 1)))).toThrow(/closed/);
    await new Promise((resolve) => setImmediate(resolve));
    expect(entries().map((e) => e.message)).toEqual(['event 0', 'still usable']);
    logger.close();
  });

  it('with endLogger, close resolves after the file transport finished, with every event in the file', async () => {
    const file = path.join(tmp.dir, 'winston.log');
    const logger = winston.createLogger({
      level: 'debug',
      format: winston.format.json(),
      transports: [new winston.transports.File({ filename: file })],
    });
    const sink = winstonSink({ logger, endLogger: true });
    const events = auditEvents(0, 5000);
    // Many entries still in winston's buffers when close() comes: the winstonjs/winston#2219 situation.
    for (let b = 0; b < 10; b++) await sink.write(createBatch(events.slice(b * 500, (b + 1) * 500)));
    await sink.close();

    const logged = fs
      .readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as LoggedEntry);
    expect(logged.map((e) => e.audit)).toEqual(events);
    expect(logger.writable).toBe(false);
  });

  it('with endLogger, rejects close when a transport does not finish in time', async () => {
    class StuckTransport extends Transport {
      override log(_info: unknown, next: () => void): void {
        next();
      }
      override _final(): void {
        // never calls back: 'finish' never comes
      }
    }
    const logger = winston.createLogger({ transports: [new StuckTransport()] });
    const sink = winstonSink({ logger, endLogger: true, closeTimeoutMs: 100 });
    await sink.write(createBatch(auditEvents(0, 1)));

    const started = Date.now();
    await expect(sink.close()).rejects.toThrow(/did not finish within 100 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('rejects writes once the logger has ended, instead of crashing on "write after end"', async () => {
    const { logger } = streamLogger();
    const sink = winstonSink({ logger });
    logger.end();
    await expect(sink.write(createBatch(auditEvents(0, 1)))).rejects.toThrow(/logger has ended/);
    await sink.close();
  });

  it('resolves a write only once a slow logger drained below its high-water mark', async () => {
    const received: unknown[] = [];
    /** Logs asynchronously; like winston's File transport, it finishes only when its writes are done. */
    class SlowTransport extends Transport {
      #pending = 0;
      #idle: (() => void) | undefined;
      override log(info: unknown, next: () => void): void {
        this.#pending++;
        setTimeout(() => {
          received.push(info);
          this.#pending--;
          if (this.#pending === 0) this.#idle?.();
          next();
        }, 1);
      }
      override _final(callback: () => void): void {
        if (this.#pending === 0) callback();
        else this.#idle = callback;
      }
    }
    const logger = winston.createLogger({ level: 'debug', transports: [new SlowTransport()] });
    const sink = winstonSink({ logger, endLogger: true });
    await sink.write(createBatch(auditEvents(0, 200)));
    expect(logger.writableLength).toBeLessThan(logger.writableHighWaterMark);
    expect(received.length).toBeGreaterThan(0);
    await sink.close();
    expect(received).toHaveLength(200);
  });
});
