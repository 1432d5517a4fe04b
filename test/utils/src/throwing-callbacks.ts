import type { AuditLogger } from '@auditkit/core';

const NAMES = ['actor', 'tenant', 'sample'] as const;

/** `actor`, `tenant` and `sample` callbacks that each throw `<name> bug`, for an adapter's options. */
export function throwingCallbacks(): Record<(typeof NAMES)[number], () => never> {
  const boom = (name: string) => () => {
    throw new Error(`${name} bug`);
  };
  return { actor: boom('actor'), tenant: boom('tenant'), sample: boom('sample') };
}

/**
 * Checks that each of the three throwing callbacks was counted in stats(), reported through
 * onError (collected in `errors`) by name, and shows in health() as degraded.
 */
export function expectThrowingCallbacksCounted(logger: AuditLogger, errors: readonly string[]): void {
  expect(logger.stats().callbackErrors).toBe(3);
  for (const name of NAMES)
    expect(errors).toContainEqual(expect.stringMatching(new RegExp(`^${name} callback threw: ${name} bug`)));
  expect(logger.health()).toMatchObject({ status: 'degraded', reasons: ['3 callback errors'] });
}
