/** Sign-in with an API key: checked against the server, then held in memory (or this tab, if asked). */
import { useSignal } from '@preact/signals';
import { ApiError, request } from '../api';
import { signIn, signInMessage } from '../state';

export function SignInScreen() {
  const key = useSignal('');
  const keep = useSignal(false);
  const busy = useSignal(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    busy.value = true;
    const candidate = key.value.trim();
    try {
      // The key is tried before it is kept: the screens appear only once it is good.
      await request('/events?limit=1', {}, candidate);
      signIn(candidate, keep.value);
    } catch (error) {
      signInMessage.value =
        error instanceof ApiError && error.status === 403
          ? 'This key may not read the trail (it lacks the read scope).'
          : (error as Error).message;
    } finally {
      busy.value = false;
    }
  };
  return (
    <main class="signin">
      <form onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">auditkit console</h1>
        <p>
          Sign in with an API key (<code>auditkit keys create-api-key</code> makes one).
        </p>
        <label class="block">
          <span>API key</span>
          <input
            type="password"
            name="key"
            autocomplete="off"
            value={key.value}
            onInput={(e) => (key.value = (e.target as HTMLInputElement).value)}
            required
            autofocus
          />
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={keep.value}
            onChange={(e) => (keep.value = (e.target as HTMLInputElement).checked)}
          />{' '}
          Stay signed in for this tab
        </label>
        {signInMessage.value && (
          <p class="error" role="alert">
            {signInMessage.value}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy.value || !key.value.trim()}>
          {busy.value ? 'Checking…' : 'Sign in'}
        </button>
        <p class="fine">The key is kept in this page's memory only and is never put in a URL.</p>
      </form>
    </main>
  );
}
