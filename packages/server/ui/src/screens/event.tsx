/**
 * One event: every field, before and after side by side with the diff for data changes, the
 * events around it (same actor, resource or correlation id), and its integrity checked here in
 * the browser against the keys the user pinned.
 */
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
// Core's diff (dependency-free source): the same paths a stored diff would carry.
import { diffObjects } from '../../../../core/src/capture/diff';
import { type Around, type AroundBy, type AuditEvent, api } from '../api';
import { ErrorNote, EventCells, Outcome, when } from '../format';
import { go, pinnedKeys, route } from '../state';
import { hashMatches, type Verdict, verifyEvent } from '../verify/verify-event';

const json = (v: unknown) => JSON.stringify(v, null, 2);

/** Every leaf field of the event as a dotted name and its value, `changes` shown apart. */
function flatten(
  value: Record<string, unknown>,
  prefix: string,
  out: Array<[string, unknown]>,
): Array<[string, unknown]> {
  for (const [k, v] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (k === 'changes' && !prefix) continue;
    if (v !== null && typeof v === 'object' && !Array.isArray(v))
      flatten(v as Record<string, unknown>, name, out);
    else out.push([name, v]);
  }
  return out;
}

function Fields({ value }: { value: Record<string, unknown> }) {
  return (
    <>
      {flatten(value, '', []).map(([name, v]) => (
        <tr key={name}>
          <th scope="row">{name}</th>
          <td>
            <code>{typeof v === 'string' ? v : JSON.stringify(v)}</code>
          </td>
        </tr>
      ))}
    </>
  );
}

function Changes({ changes }: { changes: NonNullable<AuditEvent['changes']> }) {
  const stored = changes.diff !== undefined;
  const diff = changes.diff ?? diffObjects(changes.before, changes.after);
  return (
    <section class="changes" aria-labelledby="changes-title">
      <h2 id="changes-title">Data change</h2>
      <div class="side-by-side">
        <figure>
          <figcaption>Before</figcaption>
          <pre>{changes.before === undefined ? '(nothing)' : json(changes.before)}</pre>
        </figure>
        <figure>
          <figcaption>After</figcaption>
          <pre>{changes.after === undefined ? '(nothing)' : json(changes.after)}</pre>
        </figure>
      </div>
      {diff.length > 0 && (
        <table class="diff">
          <caption>Diff{stored ? '' : ' (computed in this browser from before and after)'}</caption>
          <thead>
            <tr>
              <th scope="col">Change</th>
              <th scope="col">Field</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
            </tr>
          </thead>
          <tbody>
            {diff.map((d) => (
              <tr key={`${d.op}${d.path}`} class={`op-${d.op}`}>
                <td>{d.op}</td>
                <td>
                  <code>{d.path}</code>
                </td>
                <td>
                  <code>{d.from === undefined ? '' : JSON.stringify(d.from)}</code>
                </td>
                <td>
                  <code>{d.to === undefined ? '' : JSON.stringify(d.to)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

type Check = { status: 'checking' } | Verdict;

export function IntegrityBadge({ event }: { event: AuditEvent }) {
  const check = useSignal<Check>({ status: 'checking' });
  useEffect(() => {
    let live = true;
    // Never show one event's verdict on another while it is being checked.
    check.value = { status: 'checking' };
    const set = (c: Check) => {
      if (live) check.value = c;
    };
    (async () => {
      if (!event.integrity) return set({ status: 'unproven', reason: 'this event was not sealed' });
      if (!(await hashMatches(event)))
        return set({
          status: 'failed',
          reason: 'the event does not match its hash: it was changed after sealing',
        });
      if (pinnedKeys.value.length === 0)
        return set({
          status: 'unproven',
          reason: 'the hash matches; pin a public key (Integrity) to check its signed checkpoint',
        });
      try {
        set(await verifyEvent(event, await api.proof(event.id), pinnedKeys.value));
      } catch (error) {
        set({ status: 'unproven', reason: `the hash matches; no proof yet: ${(error as Error).message}` });
      }
    })();
    return () => {
      live = false;
    };
  }, [event.id, pinnedKeys.value]);
  const c = check.value;
  const label = {
    checking: 'Checking…',
    verified: 'Verified',
    failed: 'Failed verification',
    unproven: 'Not proven',
  }[c.status];
  return (
    <div class={`verdict ${c.status}`} role="status" data-verdict={c.status} data-event={event.id}>
      <strong>
        {c.status === 'verified' ? '✔ ' : c.status === 'failed' ? '✘ ' : ''}
        {label}
      </strong>
      {c.status === 'verified' && (
        <span>
          {' '}
          in this browser: hash, inclusion in checkpoint #{c.checkpoint.seq} of {c.checkpoint.chain} (
          {when(c.checkpoint.time)}), signed by key {c.kid}
        </span>
      )}
      {(c.status === 'failed' || c.status === 'unproven') && <span> — {c.reason}</span>}
    </div>
  );
}

const AROUND: Array<[AroundBy, string]> = [
  ['actor', 'Same actor'],
  ['resource', 'Same resource'],
  ['correlation', 'Same correlation id'],
];

function AroundList({ id }: { id: string }) {
  const by = useSignal<AroundBy>('actor');
  const data = useSignal<Around | undefined>(undefined);
  const error = useSignal<unknown>(undefined);
  useEffect(() => {
    data.value = undefined;
    error.value = undefined;
    api.event(id, by.value).then(
      (d) => (data.value = d),
      (e) => (error.value = e),
    );
  }, [id, by.value]);
  const around = data.value?.around;
  // Newest first, as search lists them.
  const rows = around
    ? [...around.after, data.value!.event, ...around.before].sort((a, b) =>
        a.time === b.time ? (a.id < b.id ? 1 : -1) : a.time < b.time ? 1 : -1,
      )
    : [];
  return (
    <section class="around" aria-labelledby="around-title">
      <h2 id="around-title">Around this event</h2>
      <div role="tablist" aria-label="Around by">
        {AROUND.map(([k, label]) => (
          <button
            key={k}
            type="button"
            role="tab"
            aria-selected={by.value === k}
            onClick={() => (by.value = k)}
          >
            {label}
          </button>
        ))}
      </div>
      <ErrorNote error={error.value} />
      <div class="around-list" role="grid" aria-label="Events around this one">
        {rows.map((e) => (
          <div
            key={e.id}
            role="row"
            tabIndex={0}
            class={e.id === id ? 'vrow static current' : 'vrow static'}
            aria-current={e.id === id ? 'true' : undefined}
            onClick={() => go('event', undefined, e.id)}
            onKeyDown={(k) => {
              if (k.key === 'Enter') go('event', undefined, e.id);
            }}
          >
            <EventCells e={e} />
          </div>
        ))}
        {around && rows.length === 1 && <p class="empty">No other events with the same {by.value}.</p>}
      </div>
    </section>
  );
}

export function EventScreen() {
  const id = route.value.arg;
  const data = useSignal<AuditEvent | undefined>(undefined);
  const error = useSignal<unknown>(undefined);
  useEffect(() => {
    data.value = undefined;
    error.value = undefined;
    api.event(id).then(
      (d) => (data.value = d.event),
      (e) => (error.value = e),
    );
  }, [id]);
  const e = data.value;
  return (
    <section class="screen event" aria-labelledby="event-title">
      <p>
        <button type="button" class="link" onClick={() => history.back()}>
          ← Back
        </button>
      </p>
      <ErrorNote error={error.value} />
      {e && (
        <>
          <h1 id="event-title">
            {e.type} <Outcome value={e.outcome} />
          </h1>
          <p class="lead">
            {when(e.time)} · {e.message ?? `${e.action} by ${e.actor?.id ?? e.actor?.type ?? 'unknown'}`}
          </p>
          <IntegrityBadge event={e} />
          {e.changes && <Changes changes={e.changes} />}
          <section aria-labelledby="fields-title">
            <h2 id="fields-title">All fields</h2>
            <table class="fields">
              <tbody>
                <Fields value={e as unknown as Record<string, unknown>} />
              </tbody>
            </table>
          </section>
          <AroundList id={e.id} />
          <p>
            <button
              type="button"
              class="link"
              onClick={() => go('search', { q: `correlationId:${e.correlationId ?? ''}`, range: 'all' })}
              disabled={!e.correlationId}
            >
              Search this correlation id
            </button>
          </p>
        </>
      )}
    </section>
  );
}
