/** Public types of compliance reports: one JSON shape, rendered as HTML and PDF from it. */
import type { AuditEvent, InclusionProof } from '@auditkit/core';

export type ReportKind = 'gdpr' | 'period';

/** Control families a period review is framed for; they share the sections, the title names them. */
export type ReportControl = 'sox' | 'hipaa' | 'pci';

export interface ListedEvent {
  /** The event, decrypted where the report's keys allow (the stored form is in the proof). */
  event: AuditEvent;
  /** Paths still encrypted: no key was given for them here. */
  encrypted?: string[];
  /** The subject's key was erased: these fields are unrecoverable (crypto-shredded). */
  erased?: boolean;
}

export interface ReportSection {
  id: string;
  title: string;
  description: string;
  /** Events that belong here; `events` lists up to the report's per-section limit of them. */
  total: number;
  events: ListedEvent[];
}

export interface ReportChain {
  chain: string;
  ok: boolean;
  events: number;
  lastCheckpoint?: { seq: number; size: number; time: string; kid: string; signatureChecked: boolean };
  firstBreak?: { kind: string; message: string; seq?: number };
}

export interface ComplianceReport {
  v: 1;
  kind: ReportKind;
  title: string;
  generatedAt: string;
  /** Who asked (an API key id, or the CLI user). */
  generatedBy: string;
  scope: {
    tenant: string | null;
    subject?: string;
    from?: string;
    to?: string;
    controls?: ReportControl[];
  };
  /** For a data-subject report: whether the subject's key was erased, and when. */
  subjectStatus?: { erased: boolean; erasedAt?: string };
  summary: Array<{ label: string; value: number | string }>;
  sections: ReportSection[];
  /** The integrity appendix: each chain the listed events are in, verified; one proof per listed event. */
  integrity: {
    ok: boolean;
    signaturesChecked: boolean;
    chains: ReportChain[];
    /** Proofs by event id, each checkable offline with `auditkit verify-proof`. */
    proofs: Record<string, InclusionProof>;
    /** Listed events no signed checkpoint covers yet (or whose chain is broken before them). */
    unproven: string[];
  };
}
