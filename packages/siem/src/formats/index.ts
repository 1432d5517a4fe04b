import type { AuditEvent } from '@auditkit/core/store';
import { toEcs } from './ecs';
import { type OcsfOptions, toOcsf } from './ocsf';

export { ECS_VERSION, toEcs } from './ecs';
export { OCSF_VERSION, type OcsfOptions, toOcsf } from './ocsf';

/**
 * How events are shaped for a destination: `native` (the auditkit event as stored, seal included),
 * `ecs` (Elastic Common Schema), `ocsf` (OCSF API Activity), or your own function.
 */
export type EventFormat = 'native' | 'ecs' | 'ocsf' | ((event: AuditEvent) => unknown);

export type Formatter = (event: AuditEvent) => unknown;

/** Resolves a format option once, at sink construction. */
export function compileFormat(format: EventFormat | undefined, ocsf?: OcsfOptions): Formatter {
  if (typeof format === 'function') return format;
  switch (format ?? 'native') {
    case 'native':
      return (event) => event;
    case 'ecs':
      return toEcs;
    case 'ocsf':
      return (event) => toOcsf(event, ocsf);
    default:
      throw new RangeError(
        `auditkit: format must be "native", "ecs", "ocsf" or a function, got "${String(format)}"`,
      );
  }
}
