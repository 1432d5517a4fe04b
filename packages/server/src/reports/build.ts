/**
 * Builds compliance reports from any store through the store contract: a data-subject access
 * report (everything recorded about one person) and a period review for SOX / HIPAA / PCI-style
 * controls. Each lists its events, verifies the chains they are in and proves each one against a
 * signed checkpoint, so the report can be checked offline.
 */
import type { KeyObject } from 'node:crypto';
import {
  type AuditEvent,
  type AuditStore,
  ChainVerifier,
  type DecryptKeys,
  decryptEvent,
  type InclusionProof,
  proveChainEvents,
} from '@auditkit/core';
import { PERIOD_SECTIONS } from './sections';
import type { ComplianceReport, ListedEvent, ReportChain, ReportControl, ReportSection } from './types';

export const REPORT_CONTROLS: readonly ReportControl[] = ['sox', 'hipaa', 'pci'];

export interface ReportSource {
  store: AuditStore;
  /** The tenant wall: only this tenant's events are listed. Absent: every tenant. */
  tenant?: string;
  /** Public keys checkpoint signatures are checked with. */
  publicKeys?: ReadonlyArray<string | KeyObject>;
}

export interface ReportOptions {
  /** Who asks: recorded in the report (an API key id, a user name). */
  generatedBy: string;
  /** Most events listed (and proven) per section; the totals count them all. Default 1000. */
  perSection?: number;
}

const quote = (value: string) => JSON.stringify(value);

async function collect(
  store: AuditStore,
  filter: string,
  tenant: string | undefined,
  limit: number,
): Promise<{ total: number; events: AuditEvent[] }> {
  const events: AuditEvent[] = [];
  let total = 0;
  for await (const e of store.iterate({ filter, ...(tenant ? { tenant } : {}), order: 'asc' })) {
    total++;
    if (events.length < limit) events.push(e);
  }
  return { total, events };
}

async function* feeding(
  events: AsyncIterable<AuditEvent>,
  verifier: ChainVerifier,
): AsyncIterable<AuditEvent> {
  for await (const e of events) {
    verifier.addEvent(e);
    yield e;
  }
}

/** Verifies each chain the listed events are in and proves every listed event, one read per chain. */
async function appendix(source: ReportSource, listed: AuditEvent[]): Promise<ComplianceReport['integrity']> {
  const byChain = new Map<string, Set<string>>();
  for (const e of listed) {
    const chain = e.integrity?.chain;
    if (!chain) continue;
    const ids = byChain.get(chain) ?? new Set<string>();
    ids.add(e.id);
    byChain.set(chain, ids);
  }
  const proofs: Record<string, InclusionProof> = {};
  const chains: ReportChain[] = [];
  const publicKeys = source.publicKeys ?? [];
  const read = source.store.chainEvents?.bind(source.store);
  if (!read) throw new Error(`store "${source.store.name}" cannot read a chain's events (chainEvents)`);
  for (const [chain, ids] of byChain) {
    const verifier = new ChainVerifier({ publicKeys });
    try {
      for (const [id, proof] of await proveChainEvents(feeding(read(chain), verifier), ids))
        proofs[id] = proof;
    } catch {
      // A chain broken before its end cannot prove what follows the break: verify all of it to say where.
      const again = new ChainVerifier({ publicKeys });
      for await (const e of read(chain)) again.addEvent(e);
      chains.push(chainOf(again, chain));
      continue;
    }
    chains.push(chainOf(verifier, chain));
  }
  const unproven = listed.filter((e) => !proofs[e.id]).map((e) => e.id);
  return {
    ok: chains.every((c) => c.ok),
    signaturesChecked: publicKeys.length > 0,
    chains,
    proofs,
    unproven: [...new Set(unproven)],
  };
}

function chainOf(verifier: ChainVerifier, chain: string): ReportChain {
  const report = verifier.finish();
  const c = report.chains[0];
  const b = report.breaks[0];
  return {
    chain,
    ok: report.ok,
    events: c?.events ?? 0,
    ...(c?.lastCheckpoint ? { lastCheckpoint: c.lastCheckpoint } : {}),
    ...(b
      ? { firstBreak: { kind: b.kind, message: b.message, ...(b.seq !== undefined ? { seq: b.seq } : {}) } }
      : {}),
  };
}

function scopeTenant(source: ReportSource): string | null {
  return source.tenant ?? null;
}

/** The event for display: decrypted where `keys` allow; what stays encrypted is named. */
function listed(event: AuditEvent, keys: DecryptKeys | undefined, erasedSubject?: string): ListedEvent {
  if (!event.protected?.fields?.length) return { event };
  const result = keys ? decryptEvent(event, keys) : { event, undecryptable: event.protected.fields };
  const out: ListedEvent = { event: result.event };
  if (result.undecryptable.length > 0) {
    out.encrypted = result.undecryptable;
    if (erasedSubject && JSON.stringify(event).includes(`"kid":${quote(`subject:${erasedSubject}`)}`))
      out.erased = true;
  }
  return out;
}

export interface GdprReportOptions extends ReportOptions {
  /** The data subject: the actor id and resource id the person is recorded under. */
  subject: string;
  /** Keys to decrypt protected fields with (keyring, subject keys). Default none: they stay encrypted. */
  keys?: DecryptKeys;
}

/** Data-subject access report (GDPR Art. 15 / LGPD): everything recorded about one person. */
export async function buildGdprReport(source: ReportSource, o: GdprReportOptions): Promise<ComplianceReport> {
  if (typeof o.subject !== 'string' || o.subject.trim() === '')
    throw new TypeError(`report: subject must be a non-empty id, got ${JSON.stringify(o.subject)}`);
  const limit = o.perSection ?? 1000;
  const s = quote(o.subject);
  const [asActor, asSubject, erasures] = await Promise.all([
    collect(source.store, `actor:${s}`, source.tenant, limit),
    collect(source.store, `resource.id:${s}`, source.tenant, limit),
    collect(source.store, `type:privacy.erasure resource.id:${s}`, source.tenant, 10),
  ]);
  const erasure = erasures.events.find((e) => e.outcome === 'success');
  const erased = erasure ? o.subject : undefined;
  const sections: ReportSection[] = [
    {
      id: 'actor',
      title: `What ${o.subject} did`,
      description: 'Events where the person is the actor.',
      total: asActor.total,
      events: asActor.events.map((e) => listed(e, o.keys, erased)),
    },
    {
      id: 'subject',
      title: `What was done to ${o.subject}'s data`,
      description: 'Events whose resource is the person (their record, account or data).',
      total: asSubject.total,
      events: asSubject.events.map((e) => listed(e, o.keys, erased)),
    },
  ];
  const all = [...asActor.events, ...asSubject.events];
  const shredded = sections.flatMap((x) => x.events).filter((e) => e.erased).length;
  return {
    v: 1,
    kind: 'gdpr',
    title: `Data-subject access report: ${o.subject}`,
    generatedAt: new Date().toISOString(),
    generatedBy: o.generatedBy,
    scope: { tenant: scopeTenant(source), subject: o.subject },
    subjectStatus: erasure ? { erased: true, erasedAt: erasure.time } : { erased: false },
    summary: [
      { label: 'Events as actor', value: asActor.total },
      { label: 'Events as subject', value: asSubject.total },
      { label: 'Subject key erased', value: erasure ? `yes, ${erasure.time}` : 'no' },
      { label: 'Events with shredded fields', value: shredded },
    ],
    sections,
    integrity: await appendix(source, all),
  };
}

export interface PeriodReportOptions extends ReportOptions {
  /** Start of the period (ISO time), inclusive. */
  from: string;
  /** End of the period (ISO time), exclusive. */
  to: string;
  /** Control families the review is framed for. Default all three. */
  controls?: ReportControl[];
}

function isoTime(name: string, value: unknown): string {
  const t = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(t))
    throw new TypeError(`report: ${name} must be an ISO date or time, got ${JSON.stringify(value)}`);
  return new Date(t).toISOString();
}

/** Period review for SOX / HIPAA / PCI-style controls over [from, to). */
export async function buildPeriodReport(
  source: ReportSource,
  o: PeriodReportOptions,
): Promise<ComplianceReport> {
  const from = isoTime('from', o.from);
  const to = isoTime('to', o.to);
  if (from >= to) throw new RangeError(`report: from (${from}) must be before to (${to})`);
  const controls = o.controls && o.controls.length > 0 ? o.controls : [...REPORT_CONTROLS];
  for (const c of controls)
    if (!REPORT_CONTROLS.includes(c))
      throw new TypeError(
        `report: controls must be among ${REPORT_CONTROLS.join(', ')}, got ${JSON.stringify(c)}`,
      );
  const limit = o.perSection ?? 1000;
  const sections: ReportSection[] = PERIOD_SECTIONS.map((r) => ({
    id: r.id,
    title: r.title,
    description: r.description,
    total: 0,
    events: [],
  }));
  let total = 0;
  let failures = 0;
  const filter = `since:${from} until:${to}`;
  for await (const e of source.store.iterate({
    filter,
    ...(source.tenant ? { tenant: source.tenant } : {}),
    order: 'asc',
  })) {
    if (e.type === 'audit.checkpoint') continue;
    total++;
    if (e.outcome === 'failure') failures++;
    PERIOD_SECTIONS.forEach((rule, i) => {
      if (!rule.matches(e, controls)) return;
      const section = sections[i]!;
      section.total++;
      if (section.events.length < limit) section.events.push(listed(e, undefined));
    });
  }
  const listedEvents = sections.flatMap((s) => s.events.map((l) => l.event));
  const integrity = await appendix(source, listedEvents);
  return {
    v: 1,
    kind: 'period',
    title: `Period review (${controls.map((c) => c.toUpperCase()).join(', ')}): ${from.slice(0, 10)} to ${to.slice(0, 10)}`,
    generatedAt: new Date().toISOString(),
    generatedBy: o.generatedBy,
    scope: { tenant: scopeTenant(source), from, to, controls },
    summary: [
      { label: 'Events in the period', value: total },
      { label: 'Failures', value: failures },
      ...sections.map((s) => ({ label: s.title, value: s.total })),
      { label: 'Trail integrity', value: integrity.ok ? 'intact' : 'BROKEN' },
    ],
    sections,
    integrity,
  };
}
