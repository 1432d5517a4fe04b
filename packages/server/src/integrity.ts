/**
 * Integrity per chain, for the console: core's verifier over each chain of the store, cached by
 * the chain's head (an unchanged chain is not read again), and cut to what the caller's tenant may
 * see — a tenant key sees only chains holding its events, and break positions but not the ids of
 * other tenants' events.
 */
import type { KeyObject } from 'node:crypto';
import { type AuditStore, ChainVerifier, type VerifyReport } from '@auditkit/core';
import type { IntegrityReplyT } from './schemas';
import type { TenantView } from './tenant-view';

interface ChainResult {
  head: string;
  report: VerifyReport;
  tenants: Set<string | undefined>;
  /** Tenant of the event at the first break, which decides whether its id may be shown. */
  breakTenant: string | undefined;
}

export class IntegrityChecker {
  readonly #store: AuditStore;
  readonly #publicKeys: ReadonlyArray<string | KeyObject>;
  readonly #cache = new Map<string, Promise<ChainResult>>();

  constructor(store: AuditStore, publicKeys: ReadonlyArray<string | KeyObject>) {
    this.#store = store;
    this.#publicKeys = publicKeys;
  }

  async check(view: TenantView, only?: string): Promise<IntegrityReplyT> {
    if (typeof this.#store.chainEvents !== 'function')
      throw new Error(`store "${this.#store.name}" cannot read a chain's events (chainEvents)`);
    const heads = (await this.#store.chainHeads()).filter((h) => only === undefined || h.chain === only);
    const results = await Promise.all(heads.map((h) => this.#chain(h.chain, `${h.seq}:${h.hash}`)));
    const chains: IntegrityReplyT['chains'] = [];
    for (const r of results) {
      if (view.tenant !== undefined && !r.tenants.has(view.tenant)) continue;
      const c = r.report.chains[0];
      if (!c) continue;
      const b = r.report.breaks[0];
      chains.push({
        chain: c.chain,
        ok: r.report.ok,
        events: c.events,
        firstSeq: c.firstSeq,
        lastSeq: c.lastSeq,
        checkpoints: c.checkpoints,
        uncovered: c.uncovered,
        ...(c.lastCheckpoint ? { lastCheckpoint: c.lastCheckpoint } : {}),
        ...(b
          ? {
              firstBreak: {
                kind: b.kind,
                message: b.message,
                ...(b.seq !== undefined ? { seq: b.seq } : {}),
                ...(b.eventId && (view.tenant === undefined || r.breakTenant === view.tenant)
                  ? { eventId: b.eventId }
                  : {}),
              },
            }
          : {}),
      });
    }
    return {
      ok: chains.every((c) => c.ok),
      signaturesChecked: this.#publicKeys.length > 0,
      chains,
    };
  }

  /** One chain's verification; reused while the chain's head is the same. */
  #chain(chain: string, head: string): Promise<ChainResult> {
    const cached = this.#cache.get(chain);
    if (cached) {
      return cached.then((r) => (r.head === head ? r : this.#run(chain, head)));
    }
    return this.#run(chain, head);
  }

  #run(chain: string, head: string): Promise<ChainResult> {
    const run = (async () => {
      const verifier = new ChainVerifier({ publicKeys: this.#publicKeys });
      const tenants = new Set<string | undefined>();
      for await (const event of this.#store.chainEvents!(chain)) {
        tenants.add(event.tenant);
        verifier.addEvent(event);
      }
      const report = verifier.finish();
      const id = report.breaks[0]?.eventId;
      const breakTenant = id ? (await this.#store.get(id))?.tenant : undefined;
      return { head, report, tenants, breakTenant };
    })();
    this.#cache.set(chain, run);
    run.catch(() => this.#cache.delete(chain));
    return run;
  }
}
