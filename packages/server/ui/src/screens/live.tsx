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
import { VirtualList } from '../virtual-list';

/** Most events kept on screen; older ones fall off the end. */
const KEEP = 5000;

type Status = { kind: 'connecting' } | { kind: 'live'; filter: string } | { kind: 'ended'; message: string };

function endMessage(code: number, reason: string, told: string | undefined, opened: boolean): string {
  if (told) return `The stream ended: ${told.replace(/\.$/, '')}.`;
  // A refused upgrade (the server's connection limit answers 503) reaches a browser as a bare 1006.
  if (!opened)
    return 'Could not connect to the live stream: the server refused it (it may be at its limit of live connections) or cannot be reached.';
  if (code === 4008 || reason === 'slow')
    return 'Dropped by the server: this tab was not reading events fast enough.';
  if (code === 1013) return 'The server has reached its limit of live connections. Try again later.';
  if (code === 4401) return 'The API key was refused or revoked.';
  if (code === 4403) return 'This key may not read the live stream.';
  return 'Disconnected from the server.';
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

  useEffect(() => {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${API_BASE}/stream`;
    const ws = new WebSocket(url, ['auditkit.v1']);
    let told: string | undefined;
    let opened = false;
    status.value = { kind: 'connecting' };
    ws.onopen = () => {
      opened = true;
      ws.send(JSON.stringify({ type: 'auth', key: apiKey.value, filter: q }));
    };
    ws.onmessage = (m) => {
      const msg = JSON.parse(String(m.data)) as {
        type: string;
        events?: AuditEvent[];
        filter?: string;
        message?: string;
      };
      if (msg.type === 'subscribed') status.value = { kind: 'live', filter: msg.filter ?? '' };
      else if (msg.type === 'closing' || msg.type === 'error') told = msg.message;
      else if (msg.type === 'events' && msg.events) {
        // A batch comes oldest first; the list shows the newest on top.
        const newest = msg.events.slice().reverse();
        if (paused.value) {
          pending.current = [...newest, ...pending.current];
          pendingCount.value = pending.current.length;
        } else events.value = [...newest, ...events.value].slice(0, KEEP);
      }
    };
    ws.onclose = (e) => {
      status.value = { kind: 'ended', message: endMessage(e.code, e.reason, told, opened) };
    };
    return () => ws.close(1000, 'left');
  }, [q, generation.value]);

  const resume = () => {
    events.value = [...pending.current, ...events.value].slice(0, KEEP);
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
          }}
        >
          Clear
        </button>
      </div>
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
