/**
 * Live tail over WS /api/stream. The key goes in the first message (never in the URL). Pausing
 * keeps the view still and counts what arrives ("N new"); the reasons a stream ends — disconnected,
 * dropped for reading too slowly, the server's connection limit, a revoked key — are said plainly,
 * with a button to resume.
 */
import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { API_BASE, type AuditEvent } from '../api';
import { EventCells, EventHeader, number } from '../format';
import { apiKey, go, route } from '../state';
import { askWhyEnded, type PreviousClose, STREAM_SESSION } from '../stream-session';
import { VirtualList } from '../virtual-list';

/** Most events kept on screen; older ones fall off the end. */
const KEEP = 5000;

type Status =
  | { kind: 'connecting' }
  | { kind: 'live'; filter: string }
  | { kind: 'ended'; message: string; missed?: { sent: number; lost: number } };

const MISSED = 'Events sent meanwhile are not shown here; Search has them all.';
const CLOSE_SLOW = 4008;
const DROPPED_SLOW = `Dropped by the server: this tab was not reading events fast enough. ${MISSED}`;
const ASKING = 'Disconnected; asking the server why…';
/** How far behind the stream (ms) a tab must have fallen for a cut connection to count as a slow-reader drop. */
const BEHIND_MS = 2000;

function endMessage(
  code: number,
  reason: string,
  told: string | undefined,
  opened: boolean,
  behindMs: number,
): string {
  if (code === CLOSE_SLOW || reason === 'slow') return DROPPED_SLOW;
  if (told) return `The stream ended: ${told.replace(/\.$/, '')}.`;
  // A reader far enough behind never gets the server's reason: it sits behind the backlog when
  // the server cuts the connection. How far behind the tab was says what most likely happened.
  if (opened && code === 1006 && behindMs > BEHIND_MS)
    return `Cut off by the server: this tab had fallen ${Math.round(behindMs / 1000)} s behind the stream, so it was most likely dropped for reading too slowly. ${MISSED}`;
  // A refused upgrade (the server's connection limit answers 503) reaches a browser as a bare 1006.
  if (!opened)
    return 'Could not connect to the live stream: the server refused it (it may be at its limit of live connections) or cannot be reached.';
  if (code === 1013) return 'The server has reached its limit of live connections. Try again later.';
  if (code === 4401) return 'The API key was refused or revoked.';
  if (code === 4403) return 'This key may not read the live stream.';
  return 'Disconnected from the server.';
}

/** What the server said about a connection it cut, in the words `endMessage` uses for the same close told in time. */
function toldMessage(previous: PreviousClose | null, received: number): Status {
  if (!previous) return { kind: 'ended', message: 'Disconnected from the server.' };
  const message = endMessage(previous.code, previous.reason, undefined, true, 0);
  if (previous.reason !== 'slow') return { kind: 'ended', message };
  return {
    kind: 'ended',
    message,
    missed: { sent: previous.events, lost: Math.max(0, previous.events - received) },
  };
}

export function LiveScreen() {
  const q = route.value.params.get('q') ?? '';
  const status = useSignal<Status>({ kind: 'connecting' });
  const events = useSignal<AuditEvent[]>([]);
  const paused = useSignal(false);
  const pending = useRef<AuditEvent[]>([]);
  const pendingCount = useSignal(0);
  const generation = useSignal(0);
  const text = useSignal(q);
  const fellOff = useSignal(0);

  const shownFor = useRef(q);

  useEffect(() => {
    // A new filter starts a new tail; a reconnect keeps what is shown.
    if (shownFor.current !== q) {
      shownFor.current = q;
      events.value = [];
      pending.current = [];
      pendingCount.value = 0;
      fellOff.value = 0;
    }
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${API_BASE}/stream`;
    const ws = new WebSocket(url, ['auditkit.v1']);
    let told: string | undefined;
    let toldReason = '';
    let minLag = Number.POSITIVE_INFINITY;
    let behind = 0;
    let opened = false;
    /** Whether the server keeps stream sessions (its `subscribed` carries `previous`): older ones do not. */
    let sessions = false;
    let received = 0;
    let left = false;
    status.value = { kind: 'connecting' };
    ws.onopen = () => {
      opened = true;
      ws.send(JSON.stringify({ type: 'auth', key: apiKey.value, filter: q, session: STREAM_SESSION }));
    };
    ws.onmessage = (m) => {
      const msg = JSON.parse(String(m.data)) as {
        type: string;
        events?: AuditEvent[];
        filter?: string;
        message?: string;
        reason?: string;
        previous?: unknown;
      };
      if (msg.type === 'subscribed') {
        sessions = 'previous' in msg;
        status.value = { kind: 'live', filter: msg.filter ?? '' };
      } else if (msg.type === 'closing' || msg.type === 'error') {
        told = msg.message;
        toldReason = msg.reason ?? '';
      } else if (msg.type === 'events' && msg.events) {
        received += msg.events.length;
        // Lag of the newest event against the smallest lag seen: clock offsets cancel out.
        const lag = Date.now() - Date.parse(msg.events.at(-1)!.time);
        minLag = Math.min(minLag, lag);
        behind = lag - minLag;
        // Batches are shown once per frame, however many arrive in it (a backlog reads quickly).
        for (const e of msg.events) arrived.push(e);
        frame ||= requestAnimationFrame(show);
      }
    };
    // Arrived oldest first; the list shows the newest on top.
    const show = () => {
      frame = 0;
      const newest = arrived.reverse();
      arrived = [];
      if (paused.value) {
        pending.current = keep([...newest, ...pending.current]);
        pendingCount.value += newest.length;
      } else events.value = keep([...newest, ...events.value]);
    };
    let arrived: AuditEvent[] = [];
    let frame = 0;
    ws.onclose = (e) => {
      const guess = endMessage(e.code, e.reason || toldReason, told, opened, behind);
      // Cut without a word: the server may have sent its reason behind a backlog this tab never
      // read. It remembers it for this tab's session; the guess is for servers that do not.
      if (!(opened && sessions && e.code === 1006 && !told)) {
        status.value = { kind: 'ended', message: guess };
        return;
      }
      status.value = { kind: 'ended', message: ASKING };
      void askWhyEnded(ws.url, apiKey.value, q).then((previous) => {
        if (left) return;
        status.value =
          previous === undefined ? { kind: 'ended', message: guess } : toldMessage(previous, received);
      });
    };
    return () => {
      left = true;
      cancelAnimationFrame(frame);
      ws.close(1000, 'left');
    };
  }, [q, generation.value]);

  /** The newest KEEP events; what falls off the end is counted, so the screen can say so. */
  const keep = (list: AuditEvent[]): AuditEvent[] => {
    if (list.length <= KEEP) return list;
    fellOff.value += list.length - KEEP;
    return list.slice(0, KEEP);
  };
  const resume = () => {
    events.value = keep([...pending.current, ...events.value]);
    pending.current = [];
    pendingCount.value = 0;
    paused.value = false;
  };
  const s = status.value;
  const list = events.value;
  return (
    <section class="screen live" aria-labelledby="live-title">
      <h1 id="live-title">Live tail</h1>
      <form
        class="filterbar"
        onSubmit={(e) => {
          e.preventDefault();
          go('live', { q: text.value.trim() });
        }}
      >
        <label class="grow">
          <span>Filter</span>
          <input
            value={text.value}
            onInput={(e) => (text.value = (e.target as HTMLInputElement).value)}
            placeholder="type:auth.* outcome:failure"
            spellcheck={false}
          />
        </label>
        <button type="submit" class="primary">
          Follow
        </button>
      </form>
      <div class="toolbar">
        <p class={`stream-status ${s.kind === 'live' && paused.value ? 'paused' : s.kind}`} role="status">
          {s.kind === 'connecting' && 'Connecting…'}
          {s.kind === 'live' && (paused.value ? 'Paused' : `Live${s.filter ? ` · ${s.filter}` : ''}`)}
          {s.kind === 'ended' && s.message}
        </p>
        {s.kind === 'ended' ? (
          <button type="button" class="primary" onClick={() => (generation.value += 1)}>
            Reconnect
          </button>
        ) : paused.value ? (
          <button type="button" class="primary" onClick={resume}>
            Resume{pendingCount.value > 0 ? ` (${number(pendingCount.value)} new)` : ''}
          </button>
        ) : (
          <button type="button" onClick={() => (paused.value = true)}>
            Pause
          </button>
        )}
        <button
          type="button"
          onClick={() => {
            events.value = [];
            pending.current = [];
            pendingCount.value = 0;
            fellOff.value = 0;
          }}
        >
          Clear
        </button>
      </div>
      {s.kind === 'ended' && s.missed && (
        <p class="note">
          The server had sent {number(s.missed.sent)} events on that connection; {number(s.missed.lost)} of
          them never reached this tab.
        </p>
      )}
      {fellOff.value > 0 && (
        <p class="note" role="status">
          This view keeps the newest {number(KEEP)} events: {number(fellOff.value)} older ones left it.{' '}
          <a href={`#/search?${new URLSearchParams({ q, range: '24h' })}`}>Search</a> has them all.
        </p>
      )}
      {list.length === 0 ? (
        <p class="empty">Waiting for events{q ? ' matching this filter' : ''}…</p>
      ) : (
        <VirtualList
          label="Live events"
          count={list.length}
          rowHeight={32}
          header={<EventHeader />}
          onOpen={(i) => go('event', undefined, list[i]!.id)}
          renderRow={(i) => <EventCells e={list[i]!} />}
        />
      )}
    </section>
  );
}
