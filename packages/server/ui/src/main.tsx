/** The dashboard's shell: sign-in when there is no key, else the navigation and the current screen. */
import 'uplot/dist/uPlot.min.css';
import './app.css';
import { effect } from '@preact/signals';
import { render } from 'preact';
import { AlertsScreen } from './screens/alerts';
import { ChartsScreen } from './screens/charts';
import { EventScreen } from './screens/event';
import { IntegrityScreen } from './screens/integrity';
import { LiveScreen } from './screens/live';
import { ReportsScreen } from './screens/reports';
import { SearchScreen } from './screens/search';
import { SignInScreen } from './screens/signin';
import { apiKey, pinnedKeys, pinnedPems, route, signOut } from './state';
import { importPublicKey } from './verify/ed25519';

const SCREENS: Array<[string, string, () => preact.JSX.Element]> = [
  ['search', 'Search', SearchScreen],
  ['live', 'Live', LiveScreen],
  ['charts', 'Charts', ChartsScreen],
  ['integrity', 'Integrity', IntegrityScreen],
  ['alerts', 'Alerts', AlertsScreen],
  ['reports', 'Reports', ReportsScreen],
];

// The pinned PEMs, imported as WebCrypto keys whenever they change.
effect(() => {
  const pems = pinnedPems.value;
  Promise.all(pems.map((p) => importPublicKey(p).catch(() => undefined))).then((keys) => {
    pinnedKeys.value = keys.filter((k) => k !== undefined);
  });
});

function App() {
  if (!apiKey.value) return <SignInScreen />;
  const r = route.value;
  const Screen =
    r.screen === 'event' ? EventScreen : (SCREENS.find(([name]) => name === r.screen)?.[2] ?? SearchScreen);
  const current = r.screen === 'event' ? 'search' : r.screen;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">auditkit</span>
        <nav aria-label="Screens">
          {SCREENS.map(([name, label]) => (
            <a
              key={name}
              href={`#/${name}${name === 'search' || name === 'charts' ? keepFilter() : ''}`}
              aria-current={current === name ? 'page' : undefined}
            >
              {label}
            </a>
          ))}
        </nav>
        <button type="button" class="link signout" onClick={() => signOut()}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Screen />
      </main>
    </>
  );
}

/** Search and Charts share the filter: moving between them keeps it. */
function keepFilter(): string {
  const p = route.value.params;
  const kept = new URLSearchParams();
  for (const k of ['q', 'range']) {
    const v = p.get(k);
    if (v) kept.set(k, v);
  }
  const s = kept.toString();
  return s ? `?${s}` : '';
}

render(<App />, document.getElementById('app')!);
