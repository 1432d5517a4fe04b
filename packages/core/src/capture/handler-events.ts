import { reportCallbackError } from '../logger';
import { safeCall } from '../safe-call';
import type { AuditInput, AuditLogger } from '../types';
import { diffObjects } from './diff';
import type { RequestAudit } from './request-audit';

/** A value, or a function of the request and the handler's result. */
export type FromCall<Req, T> = T | ((request: Req, result: unknown) => T);

/** A business event a handler declares (Nest's `@AuditAction`): recorded when it succeeds, as a failure when it throws. */
export interface ActionDeclaration<Req> extends Omit<AuditInput, 'resource'> {
  resource?: {
    type: string;
    id?: FromCall<Req, string | undefined>;
    name?: FromCall<Req, string | undefined>;
  };
}

/** A change a handler declares (Nest's `@AuditDataChange`): the state before, after and their diff. */
export interface DataChangeDeclaration<Req, Lookup> {
  /** Resource type, e.g. `user`; the event type is `<resource>.updated` unless `type` says otherwise. */
  resource: string;
  /** Where the resource id is: a dotted path into the request (`params.id`) or a function. */
  id: string | ((request: Req) => string | undefined);
  /** Loads the state before the handler runs. */
  before: (id: string, request: Req, lookup: Lookup) => unknown;
  /** The state after; default the handler's result. */
  after?: (id: string, request: Req, result: unknown, lookup: Lookup) => unknown;
  type?: string;
}

/** What one handler declares, and what its state loaders may reach (Nest's `ModuleRef`). */
export interface HandlerDeclarations<Req, Lookup> {
  action?: ActionDeclaration<Req>;
  change?: DataChangeDeclaration<Req, Lookup>;
  lookup: Lookup;
}

/** An observer of a handler's values, as RxJS and other push streams take one. */
export interface ValueObserver {
  next(value: unknown): void;
  error(error: unknown): void;
  complete(): void;
}

/** How the adapter lets a call go on (its context, backpressure) and how the call's own event ends (gRPC). */
export interface HandlerCall {
  proceed(start: () => void): void;
  settle?(error: unknown, sent: number): void;
}

function pick(request: unknown, path: string): string | undefined {
  let value: unknown = request;
  for (const key of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[key];
  return value === undefined || value === null ? undefined : String(value);
}

/** HttpException-like errors carry their status. */
function statusOf(error: unknown): number | undefined {
  const status = (error as { getStatus?: () => unknown })?.getStatus?.();
  return typeof status === 'number' ? status : undefined;
}

/**
 * The events one call of a handler declares, in the request's context: the before-state loaded
 * ahead of the handler, then on success the action event and the change with its diff, on failure
 * both as failures with the error and the status. Callbacks run through the safe-call path; a
 * throw is counted and never reaches the handler or its caller.
 */
export class HandlerEvents<Req, Lookup> {
  readonly #audit: RequestAudit<Req>;
  readonly #request: Req;
  readonly #d: HandlerDeclarations<Req, Lookup>;
  readonly #id: string | undefined;
  #before: unknown;

  constructor(audit: RequestAudit<Req>, request: Req, declarations: HandlerDeclarations<Req, Lookup>) {
    this.#audit = audit;
    this.#request = request;
    this.#d = declarations;
    const change = declarations.change;
    this.#id = change ? this.#changeId(change) : undefined;
  }

  get #logger(): AuditLogger {
    return this.#audit.logger;
  }

  /** Loads the before-state; undefined when there is none to load, so the handler starts at once. */
  loadBefore(): Promise<void> | undefined {
    const { change, lookup } = this.#d;
    if (!change || this.#id === undefined) return undefined;
    const id = this.#id;
    return this.#load('AuditDataChange.before', () => change.before(id, this.#request, lookup)).then((v) => {
      this.#before = v;
    });
  }

  /** The handler's result is in: records the declared events; a promise only while an after-state loads. Never rejects. */
  succeeded(result: unknown): Promise<void> | undefined {
    const { action, change, lookup } = this.#d;
    if (action) this.#guard(() => this.#audit.log(this.#actionEvent(action, result)));
    if (!change || this.#id === undefined) return undefined;
    const id = this.#id;
    const logChange = (after: unknown): void =>
      this.#guard(() =>
        this.#audit.log({
          ...this.#changeEvent(change, id),
          changes: { before: this.#before, after, diff: diffObjects(this.#before, after) },
        }),
      );
    if (!change.after) return void logChange(result);
    const after = change.after;
    return this.#load('AuditDataChange.after', () => after(id, this.#request, result, lookup)).then(
      logChange,
    );
  }

  /** The handler threw: records the declared events as failures. Never throws. */
  failed(error: unknown): void {
    const { action, change } = this.#d;
    this.#audit.error = error;
    this.#guard(() => {
      const status = statusOf(error);
      const failed = { outcome: 'failure' as const, error, details: status ? { status } : undefined };
      if (action) this.#audit.log({ ...this.#actionEvent(action, undefined), ...failed });
      if (change && this.#id !== undefined)
        this.#audit.log({ ...this.#changeEvent(change, this.#id), ...failed });
    });
  }

  /** Auditing work whose failure is counted and never reaches the handler or its caller. */
  #guard(work: () => void): void {
    try {
      work();
    } catch (error) {
      reportCallbackError(this.#logger, 'AuditInterceptor', error);
    }
  }

  /**
   * Runs the handler (`subscribe`) in the call, once its before-state is loaded, and passes every
   * value through untouched to `downstream` (a server stream stays a stream); records the declared
   * events as it completes or fails, then settles the call. Whatever auditing does, `downstream`
   * gets its values, error or completion. Returns the teardown.
   */
  observe(
    call: HandlerCall,
    subscribe: (observer: ValueObserver) => { unsubscribe(): void },
    downstream: ValueObserver,
  ): () => void {
    let inner: { unsubscribe(): void } | undefined;
    let unsubscribed = false;
    let sent = 0;
    let last: unknown;
    const fail = (error: unknown): void => {
      this.failed(error);
      call.settle?.(error, sent);
      downstream.error(error);
    };
    const complete = (): void => {
      call.settle?.(undefined, sent);
      downstream.complete();
    };
    const start = (): void => {
      if (unsubscribed) return;
      try {
        inner = subscribe({
          next: (value) => {
            sent++;
            last = value;
            downstream.next(value);
          },
          error: fail,
          complete: () => {
            const recording = this.succeeded(last);
            if (recording) void recording.then(complete);
            else complete();
          },
        });
      } catch (error) {
        fail(error);
      }
    };
    // Only a state loader makes the handler wait; every other call starts it at once.
    call.proceed(() => {
      const loading = this.loadBefore();
      if (loading) void loading.then(start);
      else start();
    });
    return () => {
      unsubscribed = true;
      inner?.unsubscribe();
    };
  }

  /** Runs a state loader; a throw is reported and recorded as no state. */
  async #load(name: string, loader: () => unknown): Promise<unknown> {
    try {
      return await loader();
    } catch (error) {
      reportCallbackError(this.#logger, name, error);
      return undefined;
    }
  }

  #changeId(change: DataChangeDeclaration<Req, Lookup>): string | undefined {
    if (typeof change.id !== 'function') return pick(this.#request, change.id);
    return safeCall(change.id, [this.#request], undefined, (e) =>
      reportCallbackError(this.#logger, 'AuditDataChange.id', e),
    );
  }

  #changeEvent(change: DataChangeDeclaration<Req, Lookup>, id: string): AuditInput {
    return {
      type: change.type ?? `${change.resource}.updated`,
      action: 'update',
      resource: { type: change.resource, id },
    };
  }

  /** The action event; its resource callbacks run through the safe-call path. */
  #actionEvent(options: ActionDeclaration<Req>, result: unknown): AuditInput {
    const { resource, ...rest } = options;
    if (!resource) return rest;
    const id = this.#fromCall(resource.id, result, 'AuditAction.resource.id');
    const name = this.#fromCall(resource.name, result, 'AuditAction.resource.name');
    return {
      ...rest,
      resource: {
        type: resource.type,
        ...(id !== undefined ? { id } : {}),
        ...(name !== undefined ? { name } : {}),
      },
    };
  }

  /** A declared value, or what its callback returns; a throw is counted and read as undefined. */
  #fromCall<T>(value: FromCall<Req, T> | undefined, result: unknown, name: string): T | undefined {
    if (typeof value !== 'function') return value;
    const fn = value as (request: Req, result: unknown) => T;
    return safeCall(fn, [this.#request, result], undefined, (e) =>
      reportCallbackError(this.#logger, name, e),
    );
  }
}
