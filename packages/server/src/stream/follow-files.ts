/**
 * Lines other processes append to audit files, for the live stream: each current `*.jsonl` file
 * of the followed directories (or each followed file) is read from where it ended when the server
 * started, by a held descriptor, so the lines written just before a rotation are still read from
 * the renamed file before the new one is opened.
 */
import { promises as fsp } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { AuditEvent } from '@auditkit/core';

/** Rotated names (`audit.20261101T000000Z.0.jsonl`) are history, not followed. */
const ROTATED = /\.\d{8}T\d{6}Z\.\d+\.jsonl$/;
/** Most bytes read from one file per poll, so a huge backlog cannot stall the event loop. */
const MAX_READ = 8 * 1024 * 1024;

interface Followed {
  handle: fsp.FileHandle;
  ino: number;
  offset: number;
  /** The start of a line whose end has not been written yet. */
  partial: string;
  /** Keeps a character split between two reads whole. */
  decoder: StringDecoder;
}

export class FileFollower {
  readonly #targets: string[];
  readonly #exclude: Set<string>;
  readonly #onEvents: (events: AuditEvent[]) => void;
  readonly #files = new Map<string, Followed>();
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(targets: string[], exclude: string[], onEvents: (events: AuditEvent[]) => void) {
    this.#targets = targets.map((t) => resolve(t));
    this.#exclude = new Set(exclude.map((e) => resolve(e)));
    this.#onEvents = onEvents;
  }

  /** Starts at the current end of every file; only lines appended from now on are read. */
  async start(pollMs: number): Promise<void> {
    for (const file of await this.#list()) await this.#open(file, true);
    this.#timer = setInterval(() => {
      this.#polling = this.#polling.then(() => this.poll()).catch(() => undefined);
    }, pollMs);
    this.#timer.unref();
  }

  async poll(): Promise<void> {
    if (this.#stopped) return;
    for (const file of await this.#list()) if (!this.#files.has(file)) await this.#open(file, false);
    for (const [file, f] of this.#files) {
      await this.#read(f);
      let ino: number | undefined;
      try {
        ino = (await fsp.stat(file)).ino;
      } catch {
        ino = undefined; // renamed away and not recreated yet
      }
      if (ino !== f.ino) {
        await f.handle.close();
        this.#files.delete(file);
        if (ino !== undefined) await this.#open(file, false);
      }
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#polling;
    for (const f of this.#files.values()) await f.handle.close().catch(() => undefined);
    this.#files.clear();
  }

  async #list(): Promise<string[]> {
    const out: string[] = [];
    for (const target of this.#targets) {
      let names: string[];
      try {
        const stat = await fsp.stat(target);
        if (!stat.isDirectory()) {
          out.push(target);
          continue;
        }
        names = await fsp.readdir(target);
      } catch {
        continue;
      }
      for (const n of names) if (n.endsWith('.jsonl') && !ROTATED.test(n)) out.push(join(target, n));
    }
    return out.filter((f) => !this.#exclude.has(f) && !basename(f).startsWith('.'));
  }

  async #open(file: string, atEnd: boolean): Promise<void> {
    try {
      const handle = await fsp.open(file, 'r');
      const stat = await handle.stat();
      this.#files.set(file, {
        handle,
        ino: stat.ino,
        offset: atEnd ? stat.size : 0,
        partial: '',
        decoder: new StringDecoder('utf8'),
      });
    } catch {
      // gone between listing and opening: the next poll sees it again if it comes back
    }
  }

  async #read(f: Followed): Promise<void> {
    const { size } = await f.handle.stat();
    if (size <= f.offset) return;
    const length = Math.min(size - f.offset, MAX_READ);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await f.handle.read(buffer, 0, length, f.offset);
    f.offset += bytesRead;
    const text = f.partial + f.decoder.write(buffer.subarray(0, bytesRead));
    const lines = text.split('\n');
    f.partial = lines.pop() ?? '';
    const events: AuditEvent[] = [];
    for (const line of lines) {
      if (line.length === 0) continue;
      try {
        const event = JSON.parse(line) as AuditEvent;
        if (event && typeof event.id === 'string' && typeof event.type === 'string') events.push(event);
      } catch {
        // not an event line (a torn write is completed by the next append or stays unreadable)
      }
    }
    if (events.length > 0) this.#onEvents(events);
  }
}
