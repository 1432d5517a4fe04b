/**
 * The live stream: every sealed event goes once through the compiled filter of each group of
 * subscribers that could want it (same tenant wall and filter, indexed by what the filter pins)
 * and, when it matches, into their sockets, one message per subscriber every `flushMs` at most. A
 * subscriber whose socket falls behind (too many unwritten events or bytes) is told and dropped, and
 * when all subscribers together hold more unwritten bytes than `maxTotalBytes`, those holding the
 * most are cut off: publishing never waits for anyone, so ingest and the other subscribers never
 * slow down, and the stream's memory stays bounded whatever the number of subscribers.
 */
import type { Duplex } from 'node:stream';
import type { AuditEvent, AuditFilter } from '@auditkit/core';
import type { WebSocket } from 'ws';
import type { Caller, ConsoleAudit } from '../console-events';
import { RecentIds } from '../recent-ids';
import type { EndReason, LiveSessions } from '../sessions';
import type { ApiKeyInfo, StreamOptions, StreamStats } from '../types';
import { type FilterGroup, FilterGroups } from './filter-groups';
import { FrameLedger, HeldFrames } from './frame-ledger';
import { SharedFrame } from './frames';
import { type PreviousClose, RecentCloses } from './recent-closes';

/** Close codes the console uses, beside the standard ones. */
export const CLOSE = { slow: 4008, unauthorized: 4401, forbidden: 4403, badRequest: 4400 } as const;

/** Ids remembered to skip an event that arrives twice (sealed here and read back from a followed file). */
const RECENT_IDS = 10_000;
/** Events waiting for the next fan-out beyond which it runs at once, whatever `flushMs` says. */
const MAX_QUEUED_EVENTS = 10_000;
/** How long a closing socket may take before it is cut. */
const CLOSE_GRACE_MS = 1000;

export interface SubscriberInit {
  socket: WebSocket;
  key: ApiKeyInfo;
  caller: Caller;
  filterText: string;
  filter: AuditFilter;
  /** The key's tenant wall; undefined for a key bound to all tenants. */
  wall: string | undefined;
  /** The client's stream session id, under which a close by the server is remembered. */
  session: string | undefined;
  /**
   * The connection under the WebSocket, to which events frames are written whole; undefined when
   * `ws` must frame each message itself (an extension such as compression was negotiated).
   */
  connection: Duplex | undefined;
}

class Subscriber {
  readonly socket: WebSocket;
  readonly key: ApiKeyInfo;
  readonly caller: Caller;
  readonly wall: string | undefined;
  readonly session: string | undefined;
  readonly connection: Duplex | undefined;
  /** The events frames its connection has not written out yet. */
  readonly held = new HeldFrames();
  filterText: string;
  group: FilterGroup<Subscriber> | undefined;
  /** Events (and heartbeats) handed to the socket and not yet written out. */
  outstanding = 0;
  delivered = 0;
  alive = true;
  closing = false;
  /** Why the server ended it; undefined while open or when the client left. */
  endedBy: { reason: string; code: number; unwritten: number } | undefined;
  unregister: () => void = () => {};
  /** Called as its connection writes out each events frame, oldest first (one function, not one per send). */
  written: () => void = () => {};

  constructor(init: SubscriberInit) {
    this.socket = init.socket;
    this.key = init.key;
    this.caller = init.caller;
    this.wall = init.wall;
    this.session = init.session;
    this.filterText = init.filterText;
    this.connection = init.connection;
  }
}

export class StreamHub {
  readonly #subscribers = new Set<Subscriber>();
  readonly #groups = new FilterGroups<Subscriber>();
  readonly #o: Required<StreamOptions>;
  readonly #sessions: LiveSessions;
  readonly #audit: ConsoleAudit;
  readonly #recent = new RecentIds(RECENT_IDS);
  readonly #stats = { delivered: 0, droppedSlow: 0, droppedOverBudget: 0, refused: 0 };
  /** What every open connection holds of the events frames, server-wide. */
  readonly #ledger = new FrameLedger();
  /** Subscribers whose connection is still open, dropped or not: all that may hold frames. */
  readonly #open = new Set<Subscriber>();
  readonly #closes: RecentCloses;
  /**
   * Sealed batches waiting for the next fan-out (with their sealed lines when known), and their
   * events in all.
   */
  #queued: Array<{ events: readonly AuditEvent[]; lines: readonly string[] | undefined }> = [];
  #queuedEvents = 0;
  /** The next fan-out: on the next turn, or once `flushMs` has passed since the last one. */
  #soon: NodeJS.Immediate | undefined;
  #later: NodeJS.Timeout | undefined;
  #lastFanOut = Number.NEGATIVE_INFINITY;
  /** Sockets open (authenticated or still authenticating), for the connection limit. */
  #connections = 0;
  readonly #heartbeat: NodeJS.Timeout | undefined;

  constructor(options: Required<StreamOptions>, sessions: LiveSessions, audit: ConsoleAudit) {
    this.#o = options;
    this.#sessions = sessions;
    this.#audit = audit;
    this.#closes = new RecentCloses(options.rememberCloses, options.rememberCloseMs);
    if (options.heartbeatMs > 0) {
      this.#heartbeat = setInterval(() => this.#beat(), options.heartbeatMs);
      this.#heartbeat.unref();
    }
  }

  get stats(): StreamStats {
    return {
      connections: this.#connections,
      ...this.#stats,
      bufferedBytes: this.#ledger.total,
      rememberedCloses: this.#closes.size,
    };
  }

  /** Whether one more connection would exceed the limit (it is then refused and counted). */
  refuseNew(): boolean {
    if (this.#connections < this.#o.maxConnections) return false;
    this.#stats.refused++;
    return true;
  }

  /** Counts a socket from its upgrade to its close, authenticated or not. */
  opened(socket: WebSocket): void {
    this.#connections++;
    socket.once('close', () => this.#connections--);
  }

  subscribe(init: SubscriberInit): Subscriber {
    const s = new Subscriber(init);
    s.written = () => {
      const frame = this.#ledger.written(s.held);
      if (frame) s.outstanding -= frame.events;
    };
    this.#subscribers.add(s);
    this.#open.add(s);
    s.group = this.#groups.join(s, init.filter, init.wall);
    s.socket.on('pong', () => {
      s.alive = true;
    });
    s.unregister = this.#sessions.add(init.key, (reason) => this.#end(s, reason));
    s.socket.once('close', (code: number) => {
      this.#forget(s);
      this.#open.delete(s);
      this.#ledger.release(s.held);
      const ended = s.endedBy ?? { reason: 'client', code, unwritten: 0 };
      this.#audit.record('stream.closed', s.caller, {
        details: { filter: s.filterText, delivered: s.delivered, ...ended },
      });
    });
    this.#audit.record('stream.subscribe', s.caller, { details: { filter: init.filterText } });
    return s;
  }

  /** Why the server ended this session's previous stream under this key, told once; undefined when nothing is remembered. */
  previousClose(key: ApiKeyInfo, session: string): PreviousClose | undefined {
    return this.#closes.take(key.id, session);
  }

  /** Changes what a subscriber receives from the next published batch on. */
  refilter(s: Subscriber, filterText: string, filter: AuditFilter): void {
    if (s.closing) return;
    if (s.group) this.#groups.leave(s, s.group);
    s.filterText = filterText;
    s.group = this.#groups.join(s, filter, s.wall);
  }

  /**
   * Sealed events, in chain order. They go out on a later turn of the event loop, not inside the
   * logger's delivery, so the next batch's store write is under way while this one fans out: on the
   * next turn after a quiet spell, else once `flushMs` has passed since the last fan-out, so that
   * under load the batches sealed meanwhile share one message (one socket write) per subscriber.
   * `lines`, one per event, are their sealed JSON when the logger wrote it: sent as they are.
   */
  publish(events: readonly AuditEvent[], lines?: readonly string[]): void {
    if (this.#subscribers.size === 0 || events.length === 0) return;
    this.#queued.push({ events, lines: lines?.length === events.length ? lines : undefined });
    this.#queuedEvents += events.length;
    if (this.#soon || (this.#later && this.#queuedEvents < MAX_QUEUED_EVENTS)) return;
    clearTimeout(this.#later);
    this.#later = undefined;
    const wait = this.#lastFanOut + this.#o.flushMs - performance.now();
    if (wait > 0 && this.#queuedEvents < MAX_QUEUED_EVENTS)
      this.#later = setTimeout(() => this.#fanOut(), wait);
    else this.#soon = setImmediate(() => this.#fanOut());
  }

  /**
   * Each queued event is serialized once (its sealed line, when the logger gave it) and tested only
   * against the groups the index offers (those that could want it, whatever the number of
   * subscribers); each group's message is framed once and the same bytes go to every member (one
   * write each). Who fell behind, alone or all together, is checked once per fan-out, before
   * anything is sent: what a healthy connection was handed by the last fan-out is written out by
   * then, so only real backlogs count.
   */
  #fanOut(): void {
    clearImmediate(this.#soon);
    clearTimeout(this.#later);
    this.#soon = this.#later = undefined;
    this.#lastFanOut = performance.now();
    const batches = this.#queued;
    this.#queued = [];
    this.#queuedEvents = 0;
    if (this.#subscribers.size === 0) return;
    for (const s of this.#subscribers) if (this.#behind(s)) this.#dropSlow(s);
    this.#keepWithinBudget();
    const matched = new Map<FilterGroup<Subscriber>, string[]>();
    for (const { events, lines } of batches) {
      for (let i = 0; i < events.length; i++) {
        const event = events[i]!;
        if (this.#seen(event.id)) continue;
        let json: string | undefined;
        this.#groups.match(event, (group) => {
          json ??= lines?.[i] ?? JSON.stringify(event);
          const list = matched.get(group);
          if (list) list.push(json);
          else matched.set(group, [json]);
        });
      }
    }
    for (const [group, list] of matched) {
      const frame = new SharedFrame(`{"type":"events","events":[${list.join(',')}]}`, list.length);
      for (const s of group.members) this.#send(s, frame);
    }
  }

  /** Closes every stream and resolves once their sockets are gone (their close events recorded). */
  async closeAll(): Promise<void> {
    clearInterval(this.#heartbeat);
    this.#fanOut(); // what was sealed before the close still goes out, ahead of the closing message
    const subscribers = [...this.#subscribers];
    const gone = subscribers.map((s) => new Promise((resolve) => s.socket.once('close', resolve)));
    for (const s of subscribers) this.#end(s, 'shutdown');
    await Promise.all(gone);
  }

  /** Hands one events frame to the subscriber's connection. */
  #send(s: Subscriber, frame: SharedFrame): void {
    if (s.socket.readyState !== s.socket.OPEN) return; // the client is closing: the close event follows
    s.outstanding += frame.events;
    s.delivered += frame.events;
    this.#stats.delivered += frame.events;
    this.#ledger.hold(s.held, frame);
    if (s.connection) s.connection.write(frame.bytes, s.written);
    else s.socket.send(frame.payload, { binary: false }, s.written);
  }

  /**
   * Over the server-wide budget, the subscribers holding the most unwritten bytes are cut off
   * (those already dropped and still closing first in line when they hold the most) until what is
   * held fits: their sockets are destroyed at once, since a graceful close would keep the backlog
   * in memory while the close frame waits behind it. Why is remembered for their session.
   */
  #keepWithinBudget(): void {
    const budget = this.#o.maxTotalBytes;
    if (this.#ledger.total <= budget) return;
    const largest = [...this.#open].sort((a, b) => b.held.bytes - a.held.bytes);
    for (const s of largest) {
      if (this.#ledger.total <= budget || s.held.bytes === 0) break;
      if (!s.closing) {
        this.#stats.droppedOverBudget++;
        this.#close(
          s,
          CLOSE.slow,
          'slow',
          'subscriber too slow: the stream memory of the server was full and this stream held the most unwritten events',
        );
      }
      s.socket.terminate();
      this.#ledger.release(s.held);
    }
  }

  /** More events or bytes waiting for this subscriber's socket than it may have. */
  #behind(s: Subscriber): boolean {
    return s.outstanding > this.#o.maxBuffered || s.socket.bufferedAmount > this.#o.maxSocketBytes;
  }

  #dropSlow(s: Subscriber): void {
    this.#stats.droppedSlow++;
    this.#close(s, CLOSE.slow, 'slow', 'subscriber too slow: events were not read fast enough');
  }

  #end(s: Subscriber, reason: EndReason): void {
    if (reason === 'revoked') this.#close(s, CLOSE.unauthorized, 'revoked', 'the API key was revoked');
    else this.#close(s, 1001, 'shutdown', 'the server is shutting down');
  }

  /** Tells the subscriber why (best effort), closes, and cuts the socket if the close stalls. */
  #close(s: Subscriber, code: number, reason: string, message: string): void {
    if (s.closing) return;
    s.closing = true;
    this.#forget(s);
    s.endedBy = { reason, code, unwritten: s.outstanding };
    if (s.session)
      this.#closes.remember(s.key.id, s.session, {
        reason,
        code,
        time: new Date().toISOString(),
        events: s.delivered,
        unwritten: s.outstanding,
      });
    try {
      s.socket.send(JSON.stringify({ type: 'closing', reason, message }));
      s.socket.close(code, reason);
    } catch {
      // the socket is already gone
    }
    setTimeout(() => s.socket.terminate(), CLOSE_GRACE_MS).unref();
  }

  #forget(s: Subscriber): void {
    this.#subscribers.delete(s);
    if (s.group) this.#groups.leave(s, s.group);
    s.group = undefined;
    s.unregister();
  }

  #beat(): void {
    const message = JSON.stringify({ type: 'heartbeat', time: new Date().toISOString() });
    for (const s of this.#subscribers) {
      if (!s.alive) {
        s.endedBy = { reason: 'unresponsive', code: 1006, unwritten: s.outstanding };
        s.socket.terminate(); // no pong since the last beat: the peer is gone
        continue;
      }
      if (this.#behind(s)) {
        this.#dropSlow(s);
        continue;
      }
      s.alive = false;
      s.socket.ping();
      s.outstanding++;
      s.socket.send(message, () => {
        s.outstanding--;
      });
    }
  }

  #seen(id: string): boolean {
    if (this.#recent.has(id)) return true;
    this.#recent.add(id);
    return false;
  }
}
