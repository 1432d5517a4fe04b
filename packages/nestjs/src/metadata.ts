import type {
  ActionDeclaration,
  FromCall as CoreFromCall,
  DataChangeDeclaration,
  RequestAuditOptions,
} from '@auditkit/core/adapter';
import { SetMetadata } from '@nestjs/common';
import { AUDIT_ACTION, AUDIT_DATA_CHANGE, NO_AUDIT } from './symbols';

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

/** Options of `AuditModule.forRoot`: the options every auditkit adapter shares. */
export type NestAuditOptions = RequestAuditOptions<AuditedRequest>;

/** Looks up a provider of the application by class or token (Nest's `ModuleRef`, non-strict). */
export interface ProviderLookup {
  get<T = unknown>(token: string | symbol | (abstract new (...args: never[]) => T)): T;
}

/** A value, or a function of the request and the handler's result. */
export type FromCall<T> = CoreFromCall<AuditedRequest, T>;

/** `@AuditAction`: a business event recorded when the handler succeeds (and its failure when it throws). */
export type AuditActionOptions = ActionDeclaration<AuditedRequest>;

/**
 * `@AuditDataChange`: before, after and a diff of a resource. `modules.get(UsersService)` in the
 * loaders reaches any provider of the app (decorators run outside dependency injection).
 */
export type AuditDataChangeOptions = DataChangeDeclaration<AuditedRequest, ProviderLookup>;

/** Records a business event when the handler succeeds (and its failure when it throws). */
export const AuditAction = (options: AuditActionOptions) => SetMetadata(AUDIT_ACTION, options);

/** Records before, after and a diff of a resource the handler changes. */
export const AuditDataChange = (options: AuditDataChangeOptions) => SetMetadata(AUDIT_DATA_CHANGE, options);

/** Records nothing for this handler (or controller). */
export const NoAudit = () => SetMetadata(NO_AUDIT, true);
