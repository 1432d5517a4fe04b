/**
 * The live stream: every sealed event goes once through the compiled filter of each group of
 * subscribers that could want it (same tenant wall and filter, indexed by what the filter pins)
 * and, when it matches, into their sockets, one message per subscriber every `flushMs` at most. A
 * subscriber whose socket falls behind (too many unwritten events or bytes) is told and dropped:
 * publishing never waits for anyone, so ingest and the other subscribers never slow down.
 */
import type { AuditEvent, AuditFilter } from '@auditkit/core';
import type { WebSocket } from 'ws';
import type { Caller, ConsoleAudit } from '../console-events';
import { RecentIds } from '../recent-ids';
import type { EndReason, LiveSessions } from '../sessions';
import type { ApiKeyInfo, StreamOptions, StreamStats } from '../types';
import { type FilterGroup, FilterGroups } from './filter-groups';
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
}

class Subscriber {
  readonly socket: WebSocket;
  readonly key: ApiKeyInfo;
  readonly caller: Caller;
  readonly wall: string | undefined;
  readonly session: string | undefined;
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

  constructor(init: SubscriberInit) {
    this.socket = init.socket;
    this.key = init.key;
    this.caller = init.caller;
    this.wall = init.wall;
    this.session = init.session;
    this.filterText = init.filterText;
  }
}

export class StreamHub {
  readonly #subscribers = new Set<Subscriber>();
  readonly #groups = new FilterGroups<Subscriber>();
  readonly #o: Required<StreamOptions>;
  readonly #sessions: LiveSessions;
  readonly #audit: ConsoleAudit;
  readonly #recent = new RecentIds(RECENT_IDS);
  readonly #stats = { delivered: 0, droppedSlow: 0, refused: 0 };
  readonly #closes: RecentCloses;
  /** Sealed batches waiting for the next fan-out, and their events in all. */
  #queued: Array<readonly AuditEvent[]> = [];
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
    return { connections: this.#connections, ...this.#stats, rememberedCloses: this.#closes.size };
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
    this.#subscribers.add(s);
    s.group = this.#groups.join(s, init.filter, init.wall);
    s.socket.on('pong', () => {
      s.alive = true;
    });
    s.unregister = this.#sessions.add(init.key, (reason) => this.#end(s, reason));
    s.socket.once('close', (code: number) => {
      this.#forget(s);
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
   */
  publish(events: readonly AuditEvent[]): void {
    if (this.#subscribers.size === 0 || events.length === 0) return;
    this.#queued.push(events);
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
   * Each queued event is serialized once and tested only against the groups the index offers (those
   * that could want it, whatever the number of subscribers); each group's message is built once and
   * the same bytes go to every member (one frame, one write each). Who fell behind is checked once
   * per fan-out, before anything is sent.
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
    const matched = new Map<FilterGroup<Subscriber>, string[]>();
    for (const event of batches.length === 1 ? batches[0]! : batches.flat()) {
      if (this.#seen(event.id)) continue;
      let json: string | undefined;
      this.#groups.match(event, (group) => {
        json ??= JSON.stringify(event);
        const list = matched.get(group);
        if (list) list.push(json);
        else matched.set(group, [json]);
      });
    }
    for (const [group, list] of matched) {
      const message = Buffer.from(`{"type":"events","events":[${list.join(',')}]}`);
      for (const s of group.members) this.#send(s, message, list.length);
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

  /** Sends one text message holding `events` events (0 for a heartbeat). */
  #send(s: Subscriber, message: string | Buffer, events: number): void {
    const weight = Math.max(events, 1);
    s.outstanding += weight;
    s.delivered += events;
    this.#stats.delivered += events;
    s.socket.send(message, { binary: false }, () => {
      s.outstanding -= weight;
    });
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
      this.#send(s, message, 0);
    }
  }

  #seen(id: string): boolean {
    if (this.#recent.has(id)) return true;
    this.#recent.add(id);
    return false;
  }
}
