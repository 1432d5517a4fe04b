import { AsyncLocalStorage } from 'node:async_hooks';
import { CONTEXT_KEY } from '../symbols';
import type { AuditContext } from '../types';

type ContextGlobal = typeof globalThis & { [CONTEXT_KEY]?: AsyncLocalStorage<AuditContext> };

function storage(): AsyncLocalStorage<AuditContext> {
  const g = globalThis as ContextGlobal;
  g[CONTEXT_KEY] ??= new AsyncLocalStorage<AuditContext>();
  return g[CONTEXT_KEY];
}

const als = storage();

/** Runs `fn` with `context` as the audit context of everything it does, sync or async. */
export function runWithContext<T>(context: AuditContext, fn: () => T): T {
  return als.run(context, fn);
}

/** The audit context of the current async call tree, if any. */
export function getContext(): AuditContext | undefined {
  return als.getStore();
}
