/**
 * Alerts, from the trail's `alert.*` events: each alert's latest state (open, acknowledged,
 * resolved), with acknowledge and resolve actions that the server records as events themselves.
 */
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { type AuditEvent, api } from '../api';
import { ErrorNote, when } from '../format';

interface AlertRow {
  id: string;
  status: string;
  severity: string;
  title: string;
  opened: AuditEvent;
  last: AuditEvent;
}

const STATUS: Record<string, string> = {
  'alert.opened': 'open',
  'alert.escalated': 'open',
  'alert.acknowledged': 'acknowledged',
  'alert.resolved': 'resolved',
};

/** Folds the alert events (newest first) into one row per alert. */
export function alertRows(events: AuditEvent[]): AlertRow[] {
  const rows = new Map<string, AlertRow>();
  for (const e of [...events].reverse()) {
    const id = e.resource?.id;
    const status = STATUS[e.type];
    if (!id || !status) continue;
    const row = rows.get(id);
    if (!row) {
      rows.set(id, {
        id,
        status,
        severity: e.severity,
        title: (e.message ?? e.type).replace(/^alert \w+( by [^:]+)?: /, ''),
        opened: e,
        last: e,
      });
      continue;
    }
    if (row.status !== 'resolved') row.status = status;
    row.last = e;
  }
  return [...rows.values()].reverse();
}

export function AlertsScreen() {
  const events = useSignal<AuditEvent[] | undefined>(undefined);
  const error = useSignal<unknown>(undefined);
  const show = useSignal('open');
  const load = async () => {
    error.value = undefined;
    try {
      const all: AuditEvent[] = [];
      let cursor: string | undefined;
      do {
        const page = await api.events('type:alert.*', cursor, 1000);
        all.push(...page.events);
        cursor = page.nextCursor;
      } while (cursor && all.length < 20_000);
      events.value = all;
    } catch (e) {
      error.value = e;
    }
  };
  useEffect(() => {
    void load();
  }, []);
  const act = async (id: string, action: 'acknowledge' | 'resolve') => {
    const note = action === 'resolve' ? (prompt('Resolution note (optional)') ?? undefined) : undefined;
    try {
      await api.alert(id, action, note);
      await load();
    } catch (e) {
      error.value = e;
    }
  };
  const rows = alertRows(events.value ?? []).filter((r) => show.value === 'all' || r.status === show.value);
  return (
    <section class="screen alerts" aria-labelledby="alerts-title">
      <h1 id="alerts-title">Alerts</h1>
      <div class="toolbar" role="radiogroup" aria-label="Show alerts">
        {['open', 'acknowledged', 'resolved', 'all'].map((s) => (
          <label key={s} class="pill">
            <input type="radio" name="show" checked={show.value === s} onChange={() => (show.value = s)} />{' '}
            {s}
          </label>
        ))}
      </div>
      <ErrorNote error={error.value} />
      {!events.value && !error.value && <p>Loading…</p>}
      {events.value && rows.length === 0 && (
        <p class="empty">No {show.value === 'all' ? '' : show.value} alerts.</p>
      )}
      {rows.length > 0 && (
        <table class="alerts-table">
          <thead>
            <tr>
              <th scope="col">Opened</th>
              <th scope="col">Severity</th>
              <th scope="col">Alert</th>
              <th scope="col">Status</th>
              <th scope="col">Last change</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <td>{when(r.opened.time)}</td>
                <td>
                  <span class={`badge sev-${r.severity}`}>{r.severity}</span>
                </td>
                <td>
                  <a href={`#/event/${r.opened.id}`}>{r.title}</a>
                </td>
                <td>
                  <span class={`badge status-${r.status}`}>{r.status}</span>
                </td>
                <td>
                  {when(r.last.time)} {r.last.actor?.id ? `by ${r.last.actor.id}` : ''}
                </td>
                <td>
                  <div class="actions">
                    {r.status === 'open' && (
                      <button type="button" onClick={() => act(r.id, 'acknowledge')}>
                        Acknowledge
                      </button>
                    )}
                    {r.status !== 'resolved' && (
                      <button type="button" onClick={() => act(r.id, 'resolve')}>
                        Resolve
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
