/**
 * The dashboard's state, in signals. The API key lives in memory only (a reload signs out) unless
 * the user asks to keep it for this tab; it never enters a URL. Only the filter and the time
 * range are in the URL (the hash), so a link can be shared.
 */
import { signal } from '@preact/signals';
import type { PinnedKey } from './verify/ed25519';

const TAB_KEY = 'auditkit.key';

function tabKey(): string | null {
  try {
    return sessionStorage.getItem(TAB_KEY);
  } catch {
    return null;
  }
}

export const apiKey = signal<string | null>(tabKey());
export const signInMessage = signal<string>('');

export function signIn(key: string, keepForTab: boolean): void {
  apiKey.value = key;
  signInMessage.value = '';
  try {
    if (keepForTab) sessionStorage.setItem(TAB_KEY, key);
    else sessionStorage.removeItem(TAB_KEY);
  } catch {
    // storage refused: memory only
  }
}

export function signOut(message = ''): void {
  apiKey.value = null;
  signInMessage.value = message;
  try {
    sessionStorage.removeItem(TAB_KEY);
  } catch {
    // nothing stored
  }
}

export interface Route {
  screen: string;
  /** The rest of the path: an event id for `event`. */
  arg: string;
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const text = hash.replace(/^#\/?/, '');
  const q = text.indexOf('?');
  const path = q === -1 ? text : text.slice(0, q);
  const [screen = '', ...rest] = path.split('/');
  return {
    screen: screen || 'search',
    arg: decodeURIComponent(rest.join('/')),
    params: new URLSearchParams(q === -1 ? '' : text.slice(q + 1)),
  };
}

export const route = signal<Route>(parseHash(location.hash));
addEventListener('hashchange', () => {
  route.value = parseHash(location.hash);
});

export function go(screen: string, params?: Record<string, string>, arg = ''): void {
  const query = params
    ? new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '')).toString()
    : '';
  location.hash = `#/${screen}${arg ? `/${encodeURIComponent(arg)}` : ''}${query ? `?${query}` : ''}`;
}

/** Public keys the user pinned for checkpoint signatures (public, so kept across visits). */
const PINNED = 'auditkit.pinnedKeys';
export const pinnedPems = signal<string[]>(readJson<string[]>(PINNED, []));
export const pinnedKeys = signal<PinnedKey[]>([]);

export function readJson<T>(name: string, fallback: T): T {
  try {
    const text = localStorage.getItem(name);
    return text ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
}

export function writeJson(name: string, value: unknown): void {
  try {
    localStorage.setItem(name, JSON.stringify(value));
  } catch {
    // storage full or refused: kept for this visit only
  }
}

export function savePinned(pems: string[]): void {
  pinnedPems.value = pems;
  writeJson(PINNED, pems);
}
