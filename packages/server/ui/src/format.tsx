/** Small shared pieces of presentation: times, outcomes, actors, resources. */
import type { AuditEvent } from './api';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Local time, to the millisecond, in a fixed width that lines up in lists. */
export function when(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function actorText(e: AuditEvent): string {
  const a = e.actor;
  if (!a) return '';
  return a.id ?? a.email ?? a.type ?? '';
}

export function resourceText(e: AuditEvent): string {
  const r = e.resource;
  if (!r) return '';
  return [r.type, r.id ?? r.name].filter(Boolean).join(' ');
}

export function Outcome({ value }: { value: string }) {
  return <span class={`badge outcome-${value}`}>{value}</span>;
}

export function EventCells({ e }: { e: AuditEvent }) {
  return (
    <>
      <span class="c-time" role="gridcell">
        {when(e.time)}
      </span>
      <span class="c-type" role="gridcell">
        {e.type}
      </span>
      <span class="c-outcome" role="gridcell">
        <Outcome value={e.outcome} />
      </span>
      <span class="c-actor" role="gridcell">
        {actorText(e)}
      </span>
      <span class="c-resource" role="gridcell">
        {resourceText(e)}
      </span>
      <span class="c-message" role="gridcell">
        {e.message ?? ''}
      </span>
    </>
  );
}

/** A row as one line, while the list flies past: when, what, who. */
export function quickText(e: AuditEvent | undefined): string {
  return e ? `${e.time.slice(0, 19).replace('T', ' ')}  ${e.type}  ${actorText(e)}` : 'Loading…';
}

/** A row not loaded yet, in the same cells as `EventCells`: when it loads, the cells are patched, not replaced. */
export function LoadingCells() {
  return (
    <>
      <span class="c-time loading-row" role="gridcell">
        Loading…
      </span>
      <span class="c-type" role="gridcell" />
      <span class="c-outcome" role="gridcell">
        <span />
      </span>
      <span class="c-actor" role="gridcell" />
      <span class="c-resource" role="gridcell" />
      <span class="c-message" role="gridcell" />
    </>
  );
}

export function EventHeader() {
  return (
    <div class="vhead" role="presentation" aria-hidden="true">
      <span class="c-time">Time</span>
      <span class="c-type">Type</span>
      <span class="c-outcome">Outcome</span>
      <span class="c-actor">Actor</span>
      <span class="c-resource">Resource</span>
      <span class="c-message">Message</span>
    </div>
  );
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}

export const number = (n: number) => n.toLocaleString('en-US');
