/**
 * Charts over the whole selected range, computed by the server (GET /api/stats): events over time
 * with failures, the failure rate, and the busiest types, outcomes, actors and resources.
 */
import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { api, type Stats, withRange } from '../api';
import { BUCKET, fillBuckets } from '../buckets';
import { ErrorNote, number, when } from '../format';
import { go, route } from '../state';
import { FilterBar } from './search';

function TimeChart({ stats, range }: { stats: Stats; range: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const plot = new uPlot(
      {
        width: (el.clientWidth || 800) - 16,
        height: 260,
        series: [
          {},
          {
            label: 'Events',
            stroke: '#2563eb',
            fill: 'rgba(37,99,235,0.12)',
            width: 2,
            points: { show: false },
          },
          { label: 'Failures', stroke: '#dc2626', width: 2, points: { show: false } },
          {
            label: 'Failure rate %',
            stroke: '#d97706',
            dash: [4, 4],
            scale: '%',
            width: 1.5,
            spanGaps: false,
          },
        ],
        axes: [{}, { label: 'events' }, { side: 1, scale: '%', label: '%', grid: { show: false } }],
        scales: { '%': { range: [0, 100] } },
      },
      fillBuckets(stats, range) as uPlot.AlignedData,
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth - 16, height: 260 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [stats, range]);
  return (
    <div
      ref={box}
      class="timechart"
      role="img"
      aria-label={`Events over time: ${number(stats.total)} in total`}
    />
  );
}

function Bars(props: {
  title: string;
  counts: Record<string, number> | undefined;
  field: string;
  q: string;
  range: string;
}) {
  const entries = Object.entries(props.counts ?? {})
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10);
  const max = entries[0]?.[1] ?? 1;
  return (
    <section class="bars" aria-label={props.title}>
      <h2>{props.title}</h2>
      {props.counts === undefined ? (
        <p class="empty">This store does not count these.</p>
      ) : entries.length === 0 ? (
        <p class="empty">None.</p>
      ) : (
        <ol>
          {entries.map(([k, n]) => (
            <li key={k}>
              <button
                type="button"
                class="link"
                title={`Search ${props.field}:${k}`}
                onClick={() =>
                  go('search', { q: `${props.q} ${props.field}:"${k}"`.trim(), range: props.range })
                }
              >
                {k}
              </button>
              <span class="bar" style={{ width: `${(100 * n) / max}%` }} />
              <span class="n">{number(n)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function ChartsScreen() {
  const params = route.value.params;
  const q = params.get('q') ?? '';
  const range = params.get('range') ?? '24h';
  const stats = useSignal<Stats | undefined>(undefined);
  const oldest = useSignal<string | undefined>(undefined);
  const error = useSignal<unknown>(undefined);
  useEffect(() => {
    stats.value = undefined;
    error.value = undefined;
    api.stats(withRange(q, range), BUCKET[range] ?? 'hour').then(
      (s) => (stats.value = s),
      (e) => (error.value = e),
    );
  }, [q, range]);
  useEffect(() => {
    // Retention as the trail shows it: the oldest event the store still holds.
    api.events('', undefined, 1, 'asc').then(
      (p) => (oldest.value = p.events[0]?.time ?? ''),
      () => undefined,
    );
  }, []);
  const s = stats.value;
  const failures = s ? (s.byOutcome.failure ?? 0) : 0;
  return (
    <section class="screen charts" aria-labelledby="charts-title">
      <h1 id="charts-title">Charts</h1>
      <FilterBar screen="charts" q={q} range={range} />
      <ErrorNote error={error.value} />
      {!s && !error.value && <p>Loading…</p>}
      {s && (
        <>
          <div class="tiles">
            <div class="tile">
              <span>Events</span>
              <strong>{number(s.total)}</strong>
            </div>
            <div class="tile">
              <span>Failures</span>
              <strong>{number(failures)}</strong>
            </div>
            <div class="tile">
              <span>Failure rate</span>
              <strong>{s.total ? `${((100 * failures) / s.total).toFixed(1)}%` : '—'}</strong>
            </div>
            <div class="tile">
              <span>Store · oldest event held</span>
              <strong>{s.store.name}</strong>
              <small>{oldest.value ? when(oldest.value) : oldest.value === '' ? 'none' : '…'}</small>
            </div>
          </div>
          <TimeChart stats={s} range={range} />
          <div class="grid">
            <Bars title="By type" counts={s.byType} field="type" q={q} range={range} />
            <Bars title="By outcome" counts={s.byOutcome} field="outcome" q={q} range={range} />
            <Bars title="Top actors" counts={s.byActor} field="actor" q={q} range={range} />
            <Bars title="Top resources" counts={s.byResource} field="resource.id" q={q} range={range} />
          </div>
        </>
      )}
    </section>
  );
}
