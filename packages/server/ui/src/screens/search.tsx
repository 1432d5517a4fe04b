/**
 * Search: the server's filter language over the whole store, a time range, results in a virtual
 * list fed by cursor pages, saved searches (this browser) and export of the same selection. The
 * filter and range are in the URL, so the address bar is a shareable link; the key never is.
 */
import { useSignal } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import { withRange } from '../api';
import { ErrorNote, EventCells, EventHeader, LoadingCells, number, quickText } from '../format';
import { Results } from '../results';
import { go, readJson, route, writeJson } from '../state';
import { VirtualList } from '../virtual-list';
import { ExportPanel } from './export';

export const RANGES: Array<[string, string]> = [
  ['15m', 'Last 15 minutes'],
  ['1h', 'Last hour'],
  ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
  ['all', 'All time'],
];

const SAVED = 'auditkit.savedSearches';
interface Saved {
  name: string;
  q: string;
  range: string;
}

export function FilterBar(props: { screen: string; q: string; range: string }) {
  const text = useSignal(props.q);
  const range = useSignal(props.range);
  useEffect(() => {
    text.value = props.q;
    range.value = props.range;
  }, [props.q, props.range]);
  return (
    <form
      class="filterbar"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        go(props.screen, { q: text.value.trim(), range: range.value });
      }}
    >
      <label class="grow">
        <span>Filter</span>
        <input
          name="q"
          value={text.value}
          onInput={(e) => {
            text.value = (e.target as HTMLInputElement).value;
          }}
          placeholder="actor:u-alice outcome:failure type:auth.* -resource.type:health"
          spellcheck={false}
          autocomplete="off"
        />
      </label>
      <label>
        <span>Time range</span>
        <select
          name="range"
          value={range.value}
          onChange={(e) => {
            range.value = (e.target as HTMLSelectElement).value;
            go(props.screen, { q: text.value.trim(), range: range.value });
          }}
        >
          {RANGES.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" class="primary">
        Search
      </button>
    </form>
  );
}

function SavedSearches(props: { q: string; range: string }) {
  const saved = useSignal<Saved[]>(useMemo(() => readJson<Saved[]>(SAVED, []), []));
  const store = (next: Saved[]) => {
    saved.value = next;
    writeJson(SAVED, next);
  };
  return (
    <details class="saved">
      <summary>Saved searches ({saved.value.length})</summary>
      <ul>
        {saved.value.map((s) => (
          <li key={s.name}>
            <a href={`#/search?${new URLSearchParams({ q: s.q, range: s.range })}`}>{s.name}</a>
            <code>{withRange(s.q, s.range)}</code>
            <button
              type="button"
              class="link"
              aria-label={`Delete saved search ${s.name}`}
              onClick={() => store(saved.value.filter((x) => x !== s))}
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
      <button
        type="button"
        onClick={() => {
          const name = prompt('Name this search', props.q || 'all events');
          if (name)
            store([...saved.value.filter((s) => s.name !== name), { name, q: props.q, range: props.range }]);
        }}
      >
        Save this search
      </button>
    </details>
  );
}

export function SearchScreen() {
  const params = route.value.params;
  const q = params.get('q') ?? '';
  const range = params.get('range') ?? '24h';
  const full = withRange(q, range);
  const results = useMemo(() => new Results(full), [full]);
  useEffect(() => () => results.stop(), [results]);
  // The screen itself reads no result signal: a page arriving re-renders the count and the list only.
  return (
    <section class="screen search" aria-labelledby="search-title">
      <h1 id="search-title">Search</h1>
      <FilterBar screen="search" q={q} range={range} />
      <div class="toolbar">
        <ResultCount results={results} />
        <SavedSearches q={q} range={range} />
        <ExportPanel q={full} />
      </div>
      <ResultList results={results} />
    </section>
  );
}

function ResultCount({ results }: { results: Results }) {
  const total = results.total.value;
  void results.version.value; // subscribes: re-rendered when rows arrive
  return (
    <p class="count" aria-live="polite">
      {total === undefined ? 'Counting…' : `${number(total)} ${total === 1 ? 'event' : 'events'}`}
      {results.loading.value ? ` · loaded ${number(results.loaded)}` : ''}
    </p>
  );
}

function ResultList({ results }: { results: Results }) {
  void results.version.value; // subscribes: re-rendered when rows arrive
  const total = results.total.value;
  const count = results.count;
  return (
    <>
      <ErrorNote error={results.error.value} />
      {count === 0 && total !== undefined ? (
        <p class="empty">No events match this filter in this time range.</p>
      ) : (
        <VirtualList
          label="Search results"
          count={count}
          rowHeight={32}
          header={<EventHeader />}
          onVisible={(first, last) => results.want(Math.max(0, first - 200), last + 200)}
          onOpen={(i) => {
            const e = results.at(i);
            if (e) go('event', undefined, e.id);
          }}
          renderRow={(i) => {
            const e = results.at(i);
            return e ? <EventCells e={e} /> : <LoadingCells />;
          }}
          renderQuick={(i) => quickText(results.at(i))}
        />
      )}
    </>
  );
}
