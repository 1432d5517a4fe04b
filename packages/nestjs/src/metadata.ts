import type { AuditInput, Resource } from '@auditkit/core/adapter';
import { SetMetadata } from '@nestjs/common';

export const AUDIT_ACTION = 'auditkit:action';
export const AUDIT_DATA_CHANGE = 'auditkit:data-change';
export const NO_AUDIT = 'auditkit:no-audit';

/**
 * What a handler's request looks like to the decorators and the `actor`/`tenant` callbacks:
 * Express or Fastify, same fields. For a gRPC call, `headers` are the string metadata entries,
 * `body` is the request message and `rpc` holds the method, the raw metadata and the peer.
 */
export interface AuditedRequest {
  params?: Record<string, string>;
  query?: unknown;
  body?: unknown;
  headers: Record<string, string | string[] | undefined>;
  rpc?: { method: string; metadata: unknown; peer?: string };
}

/** Looks up a provider of the application by class or token (Nest's `ModuleRef`, non-strict). */
export interface ProviderLookup {
  get<T = unknown>(token: string | symbol | (abstract new (...args: never[]) => T)): T;
}

/** A value, or a function of the request and the handler's result. */
export type FromCall<T> = T | ((request: AuditedRequest, result: unknown) => T);

export interface AuditActionOptions extends Omit<AuditInput, 'resource'> {
  resource?: { type: string; id?: FromCall<string | undefined>; name?: FromCall<string | undefined> };
}

export interface AuditDataChangeOptions {
  /** Resource type, e.g. `user`; the event type is `<resource>.updated` unless `type` says otherwise. */
  resource: string;
  /** Where the resource id is: a dotted path into the request (`params.id`) or a function. */
  id: string | ((request: AuditedRequest) => string | undefined);
  /**
   * Loads the state before the handler runs. `modules.get(UsersService)` reaches any provider of
   * the app (decorators run outside dependency injection, so `this` is not the controller).
   */
  before: (id: string, request: AuditedRequest, modules: ProviderLookup) => unknown;
  /** The state after; default the handler's result. */
  after?: (id: string, request: AuditedRequest, result: unknown, modules: ProviderLookup) => unknown;
  type?: string;
}

/** Records a business event when the handler succeeds (and its failure when it throws). */
export const AuditAction = (options: AuditActionOptions) => SetMetadata(AUDIT_ACTION, options);

/** Records before, after and a diff of a resource the handler changes. */
export const AuditDataChange = (options: AuditDataChangeOptions) => SetMetadata(AUDIT_DATA_CHANGE, options);

/** Records nothing for this handler (or controller). */
export const NoAudit = () => SetMetadata(NO_AUDIT, true);

export type { Resource };
