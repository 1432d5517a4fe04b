import type { ChangeOp } from '../types';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * The changes from `before` to `after` as JSON-Pointer paths (RFC 6901): objects compared key by
 * key, anything else (arrays included) compared whole.
 */
export function diffObjects(before: unknown, after: unknown, path = ''): ChangeOp[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const ops: ChangeOp[] = [];
    for (const key of Object.keys(before)) {
      const p = `${path}/${escapePointer(key)}`;
      if (!(key in after)) ops.push({ op: 'remove', path: p, from: before[key] });
      else ops.push(...diffObjects(before[key], after[key], p));
    }
    for (const key of Object.keys(after)) {
      if (!(key in before)) ops.push({ op: 'add', path: `${path}/${escapePointer(key)}`, to: after[key] });
    }
    return ops;
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ op: 'replace', path: path || '/', from: before, to: after }];
}
