/**
 * Console sink: JSON Lines, or one colored human-readable line per event on a terminal.
 * ANSI codes are inlined; no color library.
 */
import { writeSync as fsWriteSync } from 'node:fs';
import { markWritesLines } from '../deliver/line-sinks';
import type { AuditEvent, AuditSink, Batch, Outcome, RequestInfo, Severity } from '../types';

/** A writable stream such as `process.stdout`; `isTTY` and `fd` are used when present. */
export type ConsoleStream = NodeJS.WritableStream & {
  readonly isTTY?: boolean;
  readonly fd?: number;
  readonly writableLength?: number;
};

export interface ConsoleSinkOptions {
  /** Where lines go. Default `process.stdout`. */
  stream?: ConsoleStream;
  /** One human-readable line per event instead of JSON Lines. Default `stream.isTTY`. */
  pretty?: boolean;
  /** Color pretty lines with ANSI codes. Default: pretty, `stream.isTTY` and no `NO_COLOR` in the environment. */
  colors?: boolean;
  /** Sink name in stats and health. Default `console`. */
  name?: string;
}

type Paint = (code: string, text: string) => string;

const SEVERITY_COLOR: Record<Severity, string> = {
  debug: '90',
  info: '32',
  notice: '36',
  warning: '33',
  error: '31',
  critical: '1;41;97',
};

const OUTCOME_COLOR: Record<Outcome, string> = { success: '32', failure: '31', unknown: '33' };

const ansi: Paint = (code, text) => `\u001b[${code}m${text}\u001b[0m`;
const plain: Paint = (_code, text) => text;
const noop = (): void => {};

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Events carry client-controlled text (paths, user agents): never let it drive the terminal. */
function clean(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function statusColor(status: number): string {
  if (status >= 500) return '31';
  if (status >= 400) return '33';
  if (status >= 300) return '36';
  return '32';
}

function formatRequest(request: RequestInfo, paint: Paint): string | undefined {
  const parts: string[] = [];
  if (request.protocol === 'grpc') parts.push('grpc');
  if (request.method) parts.push(clean(request.method));
  if (request.path) parts.push(clean(request.path));
  if (request.status !== undefined) parts.push(paint(statusColor(request.status), String(request.status)));
  if (request.grpcCode !== undefined) parts.push(`code=${request.grpcCode}`);
  if (request.durationMs !== undefined) parts.push(`${Math.round(request.durationMs)}ms`);
  if (request.aborted) parts.push('aborted');
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/** `time SEVERITY type outcome actor=… resource=… METHOD /path 200 12ms message` */
export function formatPretty(event: AuditEvent, paint: Paint): string {
  const severity = event.severity.toUpperCase().padEnd(8);
  const parts = [
    paint('2', clean(event.time)),
    paint(SEVERITY_COLOR[event.severity] ?? '0', severity),
    paint('1', clean(event.type)),
    paint(OUTCOME_COLOR[event.outcome] ?? '0', clean(event.outcome)),
    `actor=${clean(event.actor.id ? `${event.actor.type}:${event.actor.id}` : event.actor.type)}`,
  ];
  const { resource, request, message } = event;
  if (resource)
    parts.push(`resource=${clean(resource.id ? `${resource.type}/${resource.id}` : resource.type)}`);
  const req = request ? formatRequest(request, paint) : undefined;
  if (req) parts.push(req);
  if (message) parts.push(clean(message));
  return parts.join(' ');
}

function noColorEnv(): boolean {
  const value = process.env.NO_COLOR;
  return value !== undefined && value !== '';
}

function isAgain(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'EAGAIN';
}

/** Blocks briefly; only used at process exit when a non-blocking pipe is full. */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Writes everything to `fd`, waiting out EAGAIN on a full non-blocking pipe for a bounded time. */
function writeFdSync(fd: number, text: string): void {
  const data = Buffer.from(text, 'utf8');
  let retries = 0;
  for (let offset = 0; offset < data.length; ) {
    try {
      offset += fsWriteSync(fd, data, offset);
    } catch (error) {
      if (!isAgain(error) || ++retries > 1000) throw error;
      sleepSync(1);
    }
  }
}

class ConsoleSink implements AuditSink {
  readonly name: string;
  readonly #stream: ConsoleStream;
  readonly #pretty: boolean;
  readonly #paint: Paint;
  /** Settles when the stream has processed the last chunk written; what flush waits on. */
  #lastCallback: Promise<void> = Promise.resolve();
  #listening = false;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(options: ConsoleSinkOptions) {
    this.#stream = options.stream ?? process.stdout;
    this.name = options.name ?? 'console';
    this.#pretty = options.pretty ?? this.#stream.isTTY === true;
    const colors = options.colors ?? (this.#pretty && this.#stream.isTTY === true && !noColorEnv());
    this.#paint = this.#pretty && colors ? ansi : plain;
  }

  write(batch: Batch): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closedError());
    let text: string;
    try {
      text = this.#format(batch);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#send(text);
  }

  /** Process exit: straight to the fd when nothing is buffered in the stream, else `stream.write`. */
  writeSync(batch: Batch): void {
    if (this.#closed) throw this.#closedError();
    const text = this.#format(batch);
    const { fd } = this.#stream;
    if (typeof fd === 'number' && !(this.#stream.writableLength ?? 0)) writeFdSync(fd, text);
    else {
      this.#listen();
      this.#stream.write(text);
    }
  }

  /** Resolves when the stream has processed everything written so far. */
  flush(): Promise<void> {
    return this.#lastCallback;
  }

  /** Flushes; never ends the stream (it is not ours). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      await this.flush();
      if (this.#listening) this.#stream.removeListener('error', this.#onStreamError);
      this.#listening = false;
    })();
    return this.#closing;
  }

  /** Whether it writes pretty lines (which read the events) rather than JSON Lines. */
  get pretty(): boolean {
    return this.#pretty;
  }

  #closedError(): Error {
    return new Error(`console sink "${this.name}" is closed; the batch was not written`);
  }

  #format(batch: Batch): string {
    if (!this.#pretty) return batch.jsonl();
    let out = '';
    for (const event of batch.events) out += `${formatPretty(event, this.#paint)}\n`;
    return out;
  }

  /** Resolves once the stream took the chunk, after 'drain' when it asked for backpressure. */
  #send(text: string): Promise<void> {
    this.#listen();
    const stream = this.#stream;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: Error | null): void => {
        if (settled) return;
        settled = true;
        stream.removeListener('drain', onDrain);
        stream.removeListener('close', onClose);
        if (error) reject(error);
        else resolve();
      };
      const onDrain = (): void => settle();
      const onClose = (): void => settle(new Error(`console sink "${this.name}": the stream closed`));
      let processed = noop;
      this.#lastCallback = new Promise<void>((done) => {
        processed = done;
      });
      const callback = (error?: Error | null): void => {
        processed();
        if (error) settle(error);
      };
      let accepted: boolean;
      try {
        accepted = stream.write(text, callback);
      } catch (error) {
        callback(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      if (accepted) settle();
      else {
        stream.once('drain', onDrain);
        stream.once('close', onClose);
      }
    });
  }

  /**
   * Stream errors also reach the write callback; this listener only keeps an unhandled 'error'
   * (EPIPE on stdout) from crashing the process while the sink is open.
   */
  #listen(): void {
    if (this.#listening) return;
    this.#listening = true;
    this.#stream.on('error', this.#onStreamError);
  }

  readonly #onStreamError = (): void => {};
}

/**
 * Writes events to a stream (stdout by default): JSON Lines, or pretty colored lines when the
 * stream is a terminal. Honours backpressure and `NO_COLOR`.
 */
export function consoleSink(options: ConsoleSinkOptions = {}): AuditSink {
  const sink = new ConsoleSink(options);
  // As JSON Lines it writes the batch's lines as they are; pretty output reads the events.
  return sink.pretty ? sink : markWritesLines(sink);
}
