import type { NestInterceptor } from '@nestjs/common';
import type { ModulesContainer } from '@nestjs/core';
import { MetadataScanner } from '@nestjs/core';
import { AUDIT_ACTION, AUDIT_DATA_CHANGE, NO_AUDIT } from './symbols';

// Nest's metadata keys (@nestjs/common/constants, @nestjs/microservices/constants).
const INTERCEPTORS = '__interceptors__';
const EXCEPTION_FILTERS = '__exceptionFilters__';
const RPC_PATTERN = 'microservices:pattern';

type Handler = (...args: unknown[]) => unknown;

/** Set on an interceptor bound here, so a later application replaces it rather than adds a second. */
const BOUND = Symbol('auditkit.nestjs.bound-interceptor');

/**
 * Whether a handler needs the interceptor: it declares events or `@NoAudit` (on it or its
 * controller), is a microservice handler (a gRPC call has no hook before it), or answers errors
 * with exception filters of its own (which the module's global filter never sees).
 */
function needsInterceptor(controller: object, handler: Handler): boolean {
  const on = (key: string) => Reflect.getMetadata(key, handler) !== undefined;
  const onClass = (key: string) => Reflect.getMetadata(key, controller) !== undefined;
  return (
    on(AUDIT_ACTION) ||
    on(AUDIT_DATA_CHANGE) ||
    on(NO_AUDIT) ||
    onClass(NO_AUDIT) ||
    on(RPC_PATTERN) ||
    (Reflect.getMetadata(EXCEPTION_FILTERS, handler)?.length ?? 0) > 0 ||
    (Reflect.getMetadata(EXCEPTION_FILTERS, controller)?.length ?? 0) > 0
  );
}

/**
 * Binds `interceptor` to the handlers that need it, as `@UseInterceptors` would, and to no other:
 * a route with any interceptor pays for Nest's interceptor chain on every request, while the
 * HTTP capture already runs each request in its context and the global filter records its error.
 * Runs before Nest creates the routes and handlers, which read this metadata then.
 */
export function bindInterceptor(modules: ModulesContainer, interceptor: NestInterceptor): void {
  const scanner = new MetadataScanner();
  (interceptor as { [BOUND]?: true })[BOUND] = true;
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (abstract new (...args: never[]) => unknown) | null;
      if (typeof controller !== 'function') continue;
      const prototype = controller.prototype as Record<string, Handler>;
      for (const name of scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name]!;
        if (!needsInterceptor(controller, handler)) continue;
        const own = ((Reflect.getMetadata(INTERCEPTORS, handler) as unknown[] | undefined) ?? []).filter(
          (i) => !(i as { [BOUND]?: true })[BOUND],
        );
        // First, so it sees what the handler's other interceptors make of the call, as a global one did.
        Reflect.defineMetadata(INTERCEPTORS, [interceptor, ...own], handler);
      }
    }
  }
}
