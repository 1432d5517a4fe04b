/**
 * Carrying the audit context to the services a request calls: the correlation id and the W3C
 * `traceparent`, as headers for outgoing HTTP calls (fetch, undici, axios) and gRPC metadata.
 */

import { checkOptions, type OptionShape, option } from '../option-check';
import { getContext } from './context';
import { formatTraceparent } from './traceparent';

export interface PropagationOptions {
  /** Header for the correlation id. Default `x-correlation-id`, as the adapters read it. */
  correlationIdHeader?: string;
}

const PROPAGATION_OPTIONS: OptionShape = { correlationIdHeader: option.string({ nonEmpty: true }) };

/**
 * The headers that carry the current audit context to another service: the correlation id and
 * `traceparent` (when the request arrived with one). Empty outside a request's context.
 */
export function propagationHeaders(options: PropagationOptions = {}): Record<string, string> {
  const ctx = getContext();
  const headers: Record<string, string> = {};
  if (!ctx) return headers;
  if (ctx.correlationId)
    headers[(options.correlationIdHeader ?? 'x-correlation-id').toLowerCase()] = ctx.correlationId;
  if (ctx.traceId && ctx.spanId)
    headers.traceparent = formatTraceparent({
      traceId: ctx.traceId,
      spanId: ctx.spanId,
      flags: ctx.traceFlags ?? '01',
    });
  return headers;
}

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * `fetch` that adds the propagation headers of the context it is called in; headers the caller
 * set win. Wraps the global fetch by default, or undici's (or any fetch with the same shape).
 */
export function auditFetch<F extends Fetch = typeof fetch>(
  fetchImpl?: F,
  options: PropagationOptions = {},
): F {
  checkOptions(options, PROPAGATION_OPTIONS, 'auditFetch');
  if (fetchImpl !== undefined && typeof fetchImpl !== 'function')
    throw new TypeError(`auditkit: auditFetch takes a fetch function, got ${typeof fetchImpl}`);
  const inner = (fetchImpl ?? globalThis.fetch) as Fetch;
  const wrapped: Fetch = (input, init) => {
    const add = propagationHeaders(options);
    const names = Object.keys(add);
    if (names.length === 0) return inner(input, init);
    // A Request's own headers (of any fetch implementation: undici's Request is not the global one).
    const own = typeof input === 'object' && !(input instanceof URL) ? input.headers : undefined;
    const headers = new Headers(init?.headers ?? own);
    for (const name of names) if (!headers.has(name)) headers.set(name, add[name]!);
    return inner(input, { ...init, headers });
  };
  return wrapped as F;
}

/** The part of undici's `DispatchOptions` an interceptor touches (undici is never imported). */
interface UndiciDispatchOptions {
  headers?: unknown;
}
type Dispatch = (options: UndiciDispatchOptions, handler: unknown) => boolean;
/** Any dispatch function: the interceptor hands back one of the type it was given. */
type AnyDispatch = (options: never, handler: never) => boolean;

/**
 * An undici dispatcher interceptor (`agent.compose(auditUndiciInterceptor())`) adding the
 * propagation headers to every request: covers `undici.request`, undici's `fetch` and, with
 * `setGlobalDispatcher`, Node's global `fetch`. Headers the caller set win.
 */
export function auditUndiciInterceptor(
  options: PropagationOptions = {},
): <D extends AnyDispatch>(dispatch: D) => D {
  checkOptions(options, PROPAGATION_OPTIONS, 'auditUndiciInterceptor');
  return <D extends AnyDispatch>(next: D): D => {
    const dispatch = next as unknown as Dispatch;
    const intercepted: Dispatch = (opts, handler) => {
      const add = propagationHeaders(options);
      if (Object.keys(add).length === 0) return dispatch(opts, handler);
      return dispatch({ ...opts, headers: withHeaders(opts.headers, add) }, handler);
    };
    return intercepted as unknown as D;
  };
}

/** undici's header forms (flat array, iterable of pairs, record) as a record with `add` filled in. */
function withHeaders(headers: unknown, add: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) out[String(headers[i])] = headers[i + 1];
  } else if (headers && typeof headers === 'object' && Symbol.iterator in headers) {
    for (const [name, value] of headers as Iterable<[string, unknown]>) out[name] = value;
  } else if (headers && typeof headers === 'object') Object.assign(out, headers);
  const present = new Set(Object.keys(out).map((name) => name.toLowerCase()));
  for (const [name, value] of Object.entries(add)) if (!present.has(name)) out[name] = value;
  return out;
}

/** The part of an axios instance the interceptor uses (axios is never imported). */
interface AxiosLike {
  interceptors: {
    request: {
      use(onFulfilled: <C extends { headers?: unknown }>(config: C) => C): number;
    };
  };
}

/**
 * Adds a request interceptor to an axios instance (or the default `axios`) that sets the
 * propagation headers of the context each request is made in; headers the caller set win.
 * Returns the interceptor id (for `axios.interceptors.request.eject`).
 */
export function auditAxios(instance: AxiosLike, options: PropagationOptions = {}): number {
  checkOptions(options, PROPAGATION_OPTIONS, 'auditAxios');
  if (typeof instance?.interceptors?.request?.use !== 'function')
    throw new TypeError(
      'auditkit: auditAxios takes an axios instance (the default axios or one from axios.create())',
    );
  return instance.interceptors.request.use((config) => {
    const add = propagationHeaders(options);
    const headers = config.headers as
      | { has?(name: string): boolean; set?(name: string, value: string): unknown; [name: string]: unknown }
      | undefined;
    if (!headers) return { ...config, headers: add };
    for (const [name, value] of Object.entries(add)) {
      // axios 1 gives an AxiosHeaders (case-insensitive has/set); older shapes are plain objects.
      if (typeof headers.has === 'function' && typeof headers.set === 'function') {
        if (!headers.has(name)) headers.set(name, value);
      } else if (!Object.keys(headers).some((k) => k.toLowerCase() === name)) headers[name] = value;
    }
    return config;
  });
}
