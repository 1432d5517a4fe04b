/**
 * Integrity: each chain as the server verified it (up to which checkpoint, the unsigned tail, the
 * first break and where), and the public keys this browser trusts for checkpoint signatures —
 * the keys every "Verified" badge is checked against, pasted by the user, never sent by the server.
 */
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api, type Integrity } from '../api';
import { ErrorNote, number, when } from '../format';
import { pinnedKeys, pinnedPems, savePinned } from '../state';
import { importPublicKey } from '../verify/ed25519';
import { RetentionPanel } from './retention';

function PinnedKeys() {
  const text = useSignal('');
  const error = useSignal<unknown>(undefined);
  const add = async () => {
    error.value = undefined;
    try {
      const key = await importPublicKey(text.value);
      if (!pinnedKeys.value.some((k) => k.kid === key.kid)) {
        savePinned([...pinnedPems.value, text.value.trim()]);
      }
      text.value = '';
    } catch (e) {
      error.value = e;
    }
  };
  return (
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">Pinned signing keys</h2>
      <p>
        Events show as verified only when their checkpoint is signed by one of these keys. Paste the writers'
        Ed25519 public key (PEM), as <code>auditkit keys</code> printed it.
      </p>
      <ul class="keys">
        {pinnedKeys.value.map((k, i) => (
          <li key={k.kid}>
            <code>{k.kid}</code>
            <button
              type="button"
              class="link"
              aria-label={`Unpin key ${k.kid}`}
              onClick={() => savePinned(pinnedPems.value.filter((_, j) => j !== i))}
            >
              Unpin
            </button>
          </li>
        ))}
        {pinnedKeys.value.length === 0 && <li class="empty">No key pinned: nothing can show as verified.</li>}
      </ul>
      <label class="block">
        <span>Public key (PEM)</span>
        <textarea
          rows={4}
          value={text.value}
          onInput={(e) => (text.value = (e.target as HTMLTextAreaElement).value)}
          placeholder="-----BEGIN PUBLIC KEY-----"
          spellcheck={false}
        />
      </label>
      <button type="button" class="primary" onClick={add} disabled={!text.value.trim()}>
        Pin key
      </button>
      <ErrorNote error={error.value} />
    </section>
  );
}

export function IntegrityScreen() {
  const report = useSignal<Integrity | undefined>(undefined);
  const error = useSignal<unknown>(undefined);
  const load = () => {
    report.value = undefined;
    error.value = undefined;
    api.integrity().then(
      (r) => (report.value = r),
      (e) => (error.value = e),
    );
  };
  useEffect(load, []);
  const r = report.value;
  return (
    <section class="screen integrity" aria-labelledby="integrity-title">
      <h1 id="integrity-title">Integrity</h1>
      <PinnedKeys />
      <section aria-labelledby="chains-title">
        <h2 id="chains-title">
          Chains{' '}
          <button type="button" class="link" onClick={load}>
            Check again
          </button>
        </h2>
        <ErrorNote error={error.value} />
        {!r && !error.value && <p>Verifying every chain…</p>}
        {r && (
          <>
            <p class={r.ok ? 'ok' : 'error'} role="status">
              {r.ok ? 'Every chain is intact, as the server verified it.' : 'At least one chain is broken.'}
              {r.signaturesChecked
                ? ''
                : ' The server has no public key: checkpoint signatures were not checked there.'}
            </p>
            <table class="chains">
              <thead>
                <tr>
                  <th scope="col">Chain</th>
                  <th scope="col">Status</th>
                  <th scope="col">Events</th>
                  <th scope="col">Verified up to</th>
                  <th scope="col">Unsigned tail</th>
                  <th scope="col">First break</th>
                </tr>
              </thead>
              <tbody>
                {r.chains.map((c) => (
                  <tr key={c.chain} class={c.ok ? '' : 'broken'}>
                    <td>
                      <code>{c.chain}</code>
                    </td>
                    <td>
                      <span class={`badge ${c.ok ? 'outcome-success' : 'outcome-failure'}`}>
                        {c.ok ? 'intact' : 'broken'}
                      </span>
                    </td>
                    <td>{number(c.events)}</td>
                    <td>
                      {c.lastCheckpoint
                        ? `seq ${c.lastCheckpoint.seq} (${when(c.lastCheckpoint.time)})`
                        : 'no checkpoint'}
                    </td>
                    <td>{number(c.uncovered)} events</td>
                    <td>
                      {c.firstBreak ? (
                        <>
                          {c.firstBreak.kind} at seq {c.firstBreak.seq ?? '?'} — {c.firstBreak.message}
                          {c.firstBreak.eventId && (
                            <>
                              {' '}
                              <a href={`#/event/${c.firstBreak.eventId}`}>open</a>
                            </>
                          )}
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
      <RetentionPanel />
    </section>
  );
}
