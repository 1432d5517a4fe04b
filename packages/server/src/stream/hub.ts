/**
 * The live stream: every sealed event goes once through each subscriber's compiled filter (inside
 * its tenant wall) and, when it matches, into that subscriber's socket. A subscriber whose socket
 * falls behind (too many unwritten messages or bytes) is told and dropped: publishing never waits
 * for anyone, so ingest and the other subscribers never slow down.
 */
import type { AuditEvent, AuditEventPredicate } from '@auditkit/core';
import type { WebSocket } from 'ws';
import type { Caller, ConsoleAudit } from '../console-events';
import type { EndReason, LiveSessions } from '../sessions';
import type { ApiKeyInfo, StreamOptions, StreamStats } from '../types';

/** Close codes the console uses, beside the standard ones. */
export const CLOSE = { slow: 4008, unauthorized: 4401, forbidden: 4403, badRequest: 4400 } as const;

/** Ids remembered to skip an event that arrives twice (sealed here and read back from a followed file). */
const RECENT_IDS = 10_000;
/** How long a closing socket may take before it is cut. */
const CLOSE_GRACE_MS = 1000;

export interface SubscriberInit {
  socket: WebSocket;
  key: ApiKeyInfo;
  caller: Caller;
  filterText: string;
  predicate: AuditEventPredicate;
}

class Subscriber {
  readonly socket: WebSocket;
  readonly key: ApiKeyInfo;
  readonly caller: Caller;
  filterText: string;
  predicate: AuditEventPredicate;
  /** Events (and heartbeats) handed to the socket and not yet written out. */
  outstanding = 0;
  delivered = 0;
  alive = true;
  closing = false;
  unregister: () => void = () => {};

  constructor(init: SubscriberInit) {
    this.socket = init.socket;
    this.key = init.key;
    this.caller = init.caller;
    this.filterText = init.filterText;
    this.predicate = init.predicate;
  }
}

export class StreamHub {
  readonly #subscribers = new Set<Subscriber>();
  readonly #o: Required<StreamOptions>;
  readonly #sessions: LiveSessions;
  readonly #audit: ConsoleAudit;
  readonly #recent = new Set<string>();
  readonly #stats = { delivered: 0, droppedSlow: 0, refused: 0 };
  /** Sockets open (authenticated or still authenticating), for the connection limit. */
  #connections = 0;
  readonly #heartbeat: NodeJS.Timeout | undefined;

  constructor(options: Required<StreamOptions>, sessions: LiveSessions, audit: ConsoleAudit) {
    this.#o = options;
    this.#sessions = sessions;
    this.#audit = audit;
    if (options.heartbeatMs > 0) {
      this.#heartbeat = setInterval(() => this.#beat(), options.heartbeatMs);
      this.#heartbeat.unref();
    }
  }

  get stats(): StreamStats {
    return { connections: this.#connections, ...this.#stats };
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
    s.socket.on('pong', () => {
      s.alive = true;
    });
    s.unregister = this.#sessions.add(init.key, (reason) => this.#end(s, reason));
    s.socket.once('close', () => {
      this.#subscribers.delete(s);
      s.unregister();
      this.#audit.record('stream.closed', s.caller, {
        details: { filter: s.filterText, delivered: s.delivered },
      });
    });
    this.#audit.record('stream.subscribe', s.caller, { details: { filter: init.filterText } });
    return s;
  }

  /**
   * Sealed events, in chain order: each is serialized once, whatever the number of subscribers,
   * and each subscriber gets one message for the whole batch (one frame, one write). Who fell
   * behind is checked once per batch, before it is sent.
   */
  publish(events: readonly AuditEvent[]): void {
    if (this.#subscribers.size === 0) return;
    for (const s of this.#subscribers) if (this.#behind(s)) this.#dropSlow(s);
    const matched = new Map<Subscriber, string[]>();
    for (const event of events) {
      if (this.#seen(event.id)) continue;
      let json: string | undefined;
      for (const s of this.#subscribers) {
        if (s.closing || !s.predicate(event)) continue;
        json ??= JSON.stringify(event);
        const list = matched.get(s);
        if (list) list.push(json);
        else matched.set(s, [json]);
      }
    }
    for (const [s, list] of matched)
      this.#send(s, `{"type":"events","events":[${list.join(',')}]}`, list.length);
  }

  /** Closes every stream and resolves once their sockets are gone (their close events recorded). */
  async closeAll(): Promise<void> {
    clearInterval(this.#heartbeat);
    const subscribers = [...this.#subscribers];
    const gone = subscribers.map((s) => new Promise((resolve) => s.socket.once('close', resolve)));
    for (const s of subscribers) this.#end(s, 'shutdown');
    await Promise.all(gone);
  }

  /** Sends one message holding `events` events (0 for a heartbeat). */
  #send(s: Subscriber, message: string, events: number): void {
    const weight = Math.max(events, 1);
    s.outstanding += weight;
    s.delivered += events;
    this.#stats.delivered += events;
    s.socket.send(message, () => {
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
    this.#subscribers.delete(s);
    s.unregister();
    try {
      s.socket.send(JSON.stringify({ type: 'closing', reason, message }));
      s.socket.close(code, reason);
    } catch {
      // the socket is already gone
    }
    setTimeout(() => s.socket.terminate(), CLOSE_GRACE_MS).unref();
  }

  #beat(): void {
    const message = JSON.stringify({ type: 'heartbeat', time: new Date().toISOString() });
    for (const s of this.#subscribers) {
      if (!s.alive) {
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
    if (this.#recent.size > RECENT_IDS) this.#recent.delete(this.#recent.values().next().value as string);
    return false;
  }
}
