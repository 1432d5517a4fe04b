/** What the store keeps and for how long, and the oldest event it still holds (inside the key's tenant). */
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api, type Retention } from '../api';
import { ErrorNote, when } from '../format';

const days = (n: number) => (n % 365 === 0 && n > 0 ? `${n / 365} year${n === 365 ? '' : 's'}` : `${n} days`);
const bytes = (n: number) => (n >= 1024 * 1024 ? `${Math.round(n / (1024 * 1024))} MiB` : `${n} bytes`);

/** The policy as lines a person reads: ages per category, file bounds, or "kept forever". */
function policyLines(r: Retention): string[] {
  const lines: string[] = [];
  const age = r.maxAgeDays;
  if (age) {
    for (const [category, n] of Object.entries(age.categories ?? {})) lines.push(`${category}: ${days(n)}`);
    lines.push(
      age.default === undefined
        ? 'other categories: kept forever'
        : `${age.categories ? 'other categories' : 'every event'}: ${days(age.default)}`,
    );
  }
  if (r.files) {
    const { maxFiles, maxFileBytes, rotateDaily } = r.files;
    const rotation = [maxFileBytes > 0 && `at ${bytes(maxFileBytes)}`, rotateDaily && 'daily']
      .filter(Boolean)
      .join(' and ');
    lines.push(
      `${maxFiles > 0 ? `the newest ${maxFiles} rotated files` : 'every rotated file'} kept${rotation ? `; files rotate ${rotation}` : ''}`,
    );
  }
  if (!age && !r.files) lines.push('no age or size limit: every event is kept');
  return lines;
}

function PolicyLines({ lines }: { lines: string[] }) {
  if (lines.length === 1) return <>{lines[0]}</>;
  return (
    <ul>
      {lines.map((line) => (
        <li key={line}>{line}</li>
      ))}
    </ul>
  );
}

export function RetentionPanel() {
  const info = useSignal<Retention | undefined>(undefined);
  const error = useSignal<unknown>(undefined);
  useEffect(() => {
    api.retention().then(
      (r) => (info.value = r),
      (e) => (error.value = e),
    );
  }, []);
  const r = info.value;
  return (
    <section aria-labelledby="retention-title">
      <h2 id="retention-title">Retention</h2>
      <ErrorNote error={error.value} />
      {!r && !error.value && <p>Reading the store's policy…</p>}
      {r && (
        <dl class="retention">
          <dt>Store</dt>
          <dd>{r.store.name}</dd>
          <dt>Policy</dt>
          <dd>{r.described ? <PolicyLines lines={policyLines(r)} /> : 'not described by this store'}</dd>
          <dt>Applied</dt>
          <dd>{r.enforcement}</dd>
          <dt>Oldest event held</dt>
          <dd>
            {r.oldest ? (
              <>
                {when(r.oldest.time)}{' '}
                <a href={`#/event/${r.oldest.id}`} aria-label="Open the oldest event held">
                  open
                </a>
              </>
            ) : (
              'none: the trail is empty'
            )}
          </dd>
        </dl>
      )}
    </section>
  );
}
