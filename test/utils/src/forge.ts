import { createHash } from 'node:crypto';
import { type AuditEvent, CHECKPOINT_TYPE, canonicalize } from '@auditkit/core';

/**
 * What someone without the signing key can do to stored JSON Lines: from line `from` on, change
 * events, remove every checkpoint (they cannot sign new ones), and recompute the hash chain so
 * every link holds, the first rewritten one to the untouched line before it.
 */
export function forgeWithoutCheckpoints(
  lines: readonly string[],
  edit: (e: AuditEvent) => void,
  from = 0,
): string[] {
  const heads = new Map<string, { seq: number; hash: string | null }>();
  const out: string[] = [];
  for (const [i, line] of lines.entries()) {
    const e = JSON.parse(line) as AuditEvent;
    if (i < from) {
      heads.set(e.integrity!.chain, { seq: e.integrity!.seq, hash: e.integrity!.hash });
      out.push(line);
      continue;
    }
    if (e.type === CHECKPOINT_TYPE) continue;
    edit(e);
    const chain = e.integrity!.chain;
    const head = heads.get(chain) ?? { seq: -1, hash: null };
    const seal = { chain, prev: head.hash, seq: head.seq + 1 };
    const hash = createHash('sha256')
      .update(canonicalize({ ...e, integrity: seal }))
      .digest('hex');
    e.integrity = { ...seal, hash };
    heads.set(chain, { seq: seal.seq, hash });
    out.push(canonicalize(e));
  }
  return out;
}
