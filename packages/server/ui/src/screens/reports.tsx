/**
 * Compliance reports: a data-subject access report or a period review, summarised here and
 * downloaded as JSON (with the proofs), printable HTML or PDF. Each one generated is recorded.
 */
import { useSignal } from '@preact/signals';
import { api, request } from '../api';
import { download } from '../download';
import { ErrorNote, number } from '../format';

interface Summary {
  title: string;
  summary: Array<{ label: string; value: number | string }>;
  integrity: { ok: boolean; proofs: Record<string, unknown>; unproven: string[] };
}

const day = (offset: number) => new Date(Date.now() + offset * 86400_000).toISOString().slice(0, 10);

export function ReportsScreen() {
  const kind = useSignal<'gdpr' | 'period'>('period');
  const subject = useSignal('');
  const from = useSignal(day(-30));
  const to = useSignal(day(1));
  const controls = useSignal<string[]>(['sox', 'hipaa', 'pci']);
  const busy = useSignal('');
  const error = useSignal<unknown>(undefined);
  const result = useSignal<Summary | undefined>(undefined);

  const path = (format: string) =>
    kind.value === 'gdpr'
      ? `/reports/gdpr?${api.qs({ subject: subject.value.trim(), format })}`
      : `/reports/period?${api.qs({ from: from.value, to: to.value, controls: controls.value.join(','), format })}`;
  const get = async (format: 'json' | 'html' | 'pdf') => {
    busy.value = format;
    error.value = undefined;
    try {
      const response = await request(path(format));
      if (format === 'json') {
        const text = await response.text();
        result.value = JSON.parse(text) as Summary;
        download(new Blob([text], { type: 'application/json' }), `${kind.value}-report.json`);
      } else download(await response.blob(), `${kind.value}-report.${format}`);
    } catch (e) {
      error.value = e;
    } finally {
      busy.value = '';
    }
  };
  const r = result.value;
  return (
    <section class="screen reports" aria-labelledby="reports-title">
      <h1 id="reports-title">Reports</h1>
      <div role="radiogroup" aria-label="Report" class="toolbar">
        <label class="pill">
          <input
            type="radio"
            name="kind"
            checked={kind.value === 'period'}
            onChange={() => (kind.value = 'period')}
          />{' '}
          Period review
        </label>
        <label class="pill">
          <input
            type="radio"
            name="kind"
            checked={kind.value === 'gdpr'}
            onChange={() => (kind.value = 'gdpr')}
          />{' '}
          Data-subject access (GDPR)
        </label>
      </div>
      <form onSubmit={(e) => e.preventDefault()}>
        {kind.value === 'gdpr' ? (
          <label>
            <span>Data subject (actor or resource id)</span>
            <input
              value={subject.value}
              onInput={(e) => (subject.value = (e.target as HTMLInputElement).value)}
              placeholder="u-alice"
              required
            />
          </label>
        ) : (
          <>
            <label>
              <span>From</span>
              <input
                type="date"
                value={from.value}
                onInput={(e) => (from.value = (e.target as HTMLInputElement).value)}
              />
            </label>
            <label>
              <span>To (exclusive)</span>
              <input
                type="date"
                value={to.value}
                onInput={(e) => (to.value = (e.target as HTMLInputElement).value)}
              />
            </label>
            <fieldset class="controls">
              <legend>Controls</legend>
              {['sox', 'hipaa', 'pci'].map((c) => (
                <label key={c} class="check">
                  <input
                    type="checkbox"
                    checked={controls.value.includes(c)}
                    onChange={(e) =>
                      (controls.value = (e.target as HTMLInputElement).checked
                        ? [...controls.value, c]
                        : controls.value.filter((x) => x !== c))
                    }
                  />{' '}
                  {c.toUpperCase()}
                </label>
              ))}
            </fieldset>
          </>
        )}
        <div class="actions">
          <button
            type="button"
            class="primary"
            disabled={busy.value !== '' || (kind.value === 'gdpr' && !subject.value.trim())}
            onClick={() => get('json')}
          >
            {busy.value === 'json' ? 'Generating…' : 'Generate (JSON with proofs)'}
          </button>
          <button
            type="button"
            disabled={busy.value !== '' || (kind.value === 'gdpr' && !subject.value.trim())}
            onClick={() => get('html')}
          >
            Printable HTML
          </button>
          <button
            type="button"
            disabled={busy.value !== '' || (kind.value === 'gdpr' && !subject.value.trim())}
            onClick={() => get('pdf')}
          >
            {busy.value === 'pdf' ? 'Rendering…' : 'PDF'}
          </button>
        </div>
      </form>
      <ErrorNote error={error.value} />
      {r && (
        <section aria-labelledby="result-title">
          <h2 id="result-title">{r.title}</h2>
          <table class="summary">
            <tbody>
              {r.summary.map((s) => (
                <tr key={s.label}>
                  <th scope="row">{s.label}</th>
                  <td>{typeof s.value === 'number' ? number(s.value) : s.value}</td>
                </tr>
              ))}
              <tr>
                <th scope="row">Events proven (integrity appendix)</th>
                <td>
                  {number(Object.keys(r.integrity.proofs).length)}
                  {r.integrity.unproven.length > 0
                    ? `, ${number(r.integrity.unproven.length)} not yet covered by a checkpoint`
                    : ''}
                </td>
              </tr>
            </tbody>
          </table>
          <p class="fine">
            Each proof in the JSON checks offline:{' '}
            <code>auditkit verify-proof proof.json --key signing.pub</code>.
          </p>
        </section>
      )}
    </section>
  );
}
