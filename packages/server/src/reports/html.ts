/** A report as one printable HTML page: no script, no outside resources, every value escaped. */
import type { AuditEvent } from '@auditkit/core';
import type { ComplianceReport, ListedEvent } from './types';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);

export function actorOf(e: AuditEvent): string {
  return e.actor?.id ?? e.actor?.email ?? e.actor?.type ?? '';
}

export function resourceOf(e: AuditEvent): string {
  return [e.resource?.type, e.resource?.id].filter(Boolean).join(' ');
}

function row(l: ListedEvent, proven: boolean): string {
  const e = l.event;
  const marks = [
    l.erased ? '<span class="mark erased">erased (crypto-shredded)</span>' : '',
    !l.erased && l.encrypted?.length
      ? `<span class="mark">encrypted: ${escapeHtml(l.encrypted.join(', '))}</span>`
      : '',
    proven ? '' : '<span class="mark">not yet proven</span>',
  ].join('');
  return `<tr><td class="mono">${escapeHtml(e.time)}</td><td>${escapeHtml(e.type)}</td><td class="o-${escapeHtml(e.outcome)}">${escapeHtml(e.outcome)}</td><td>${escapeHtml(actorOf(e))}</td><td>${escapeHtml(resourceOf(e))}</td><td>${escapeHtml(e.message ?? '')}${marks}</td><td class="mono small">${escapeHtml(e.id)}</td></tr>`;
}

const STYLE = `
body{font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2430;margin:32px;max-width:1100px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 6px;border-bottom:2px solid #1f2430;padding-bottom:3px}
.meta{color:#5b6475;margin:0 0 16px}table{border-collapse:collapse;width:100%;margin:6px 0 10px}
th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #dfe3ea;vertical-align:top}th{background:#eef1f6;font-size:11px;text-transform:uppercase;color:#5b6475}
.mono{font-family:ui-monospace,Menlo,Consolas,monospace}.small{font-size:10.5px;color:#5b6475}
.summary td:first-child{width:50%}.o-failure{color:#b42318;font-weight:600}.ok{color:#13795b;font-weight:700}.bad{color:#b42318;font-weight:700}
.mark{display:inline-block;margin-left:6px;padding:0 6px;border-radius:8px;background:#fff4d6;color:#5c3d00;font-size:11px}.mark.erased{background:#fdecea;color:#7a1a12}
.desc{color:#5b6475;margin:0 0 4px}@media print{body{margin:12mm}h2{break-after:avoid}tr{break-inside:avoid}}
`;

export function renderReportHtml(r: ComplianceReport): string {
  const scope = [
    r.scope.subject ? `Subject: ${r.scope.subject}` : '',
    r.scope.from ? `Period: ${r.scope.from} to ${r.scope.to}` : '',
    `Tenant: ${r.scope.tenant ?? 'all tenants'}`,
  ].filter(Boolean);
  const sections = r.sections
    .map(
      (s) =>
        `<section><h2>${escapeHtml(s.title)} (${s.total})</h2><p class="desc">${escapeHtml(s.description)}${s.total > s.events.length ? ` The first ${s.events.length} are listed.` : ''}</p>${
          s.events.length === 0
            ? '<p class="desc">None.</p>'
            : `<table><thead><tr><th>Time (UTC)</th><th>Type</th><th>Outcome</th><th>Actor</th><th>Resource</th><th>Message</th><th>Event id</th></tr></thead><tbody>${s.events.map((l) => row(l, r.integrity.proofs[l.event.id] !== undefined)).join('')}</tbody></table>`
        }</section>`,
    )
    .join('');
  const chains = r.integrity.chains
    .map(
      (c) =>
        `<tr><td class="mono">${escapeHtml(c.chain)}</td><td class="${c.ok ? 'ok' : 'bad'}">${c.ok ? 'intact' : 'BROKEN'}</td><td>${c.events}</td><td>${c.lastCheckpoint ? `seq ${c.lastCheckpoint.seq}, ${escapeHtml(c.lastCheckpoint.time)}, key ${escapeHtml(c.lastCheckpoint.kid)}${c.lastCheckpoint.signatureChecked ? ', signature checked' : ''}` : 'none'}</td><td>${c.firstBreak ? escapeHtml(`${c.firstBreak.kind} at seq ${c.firstBreak.seq ?? '?'}: ${c.firstBreak.message}`) : ''}</td></tr>`,
    )
    .join('');
  const checkpoints = new Map<
    string,
    { chain: string; seq: number; size: number; root: string; kid: string; time: string }
  >();
  for (const p of Object.values(r.integrity.proofs)) {
    const cp = p.checkpoint.checkpoint;
    checkpoints.set(cp.id, {
      chain: cp.chain,
      seq: cp.seq,
      size: cp.size,
      root: cp.merkleRoot,
      kid: p.checkpoint.kid,
      time: cp.time,
    });
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(r.title)}</title><style>${STYLE}</style></head><body>
<h1>${escapeHtml(r.title)}</h1>
<p class="meta">${scope.map(escapeHtml).join(' · ')}<br>Generated ${escapeHtml(r.generatedAt)} by ${escapeHtml(r.generatedBy)}</p>
<h2>Summary</h2><table class="summary"><tbody>${r.summary.map((s) => `<tr><td>${escapeHtml(s.label)}</td><td><strong>${escapeHtml(s.value)}</strong></td></tr>`).join('')}</tbody></table>
${sections}
<h2>Integrity appendix</h2>
<p class="desc">Each chain holding a listed event, verified end to end${r.integrity.signaturesChecked ? ' with checkpoint signatures' : ' (no public key given: signatures not checked)'}. The JSON form of this report carries one inclusion proof per listed event (<code>integrity.proofs</code>); save one as a file and check it offline with <code>auditkit verify-proof proof.json --key signing.pub</code>.</p>
<table><thead><tr><th>Chain</th><th>Status</th><th>Events</th><th>Last checkpoint</th><th>First break</th></tr></thead><tbody>${chains}</tbody></table>
<table><thead><tr><th>Checkpoint</th><th>Chain</th><th>Covers</th><th>Merkle root</th><th>Key</th></tr></thead><tbody>${[...checkpoints].map(([id, c]) => `<tr><td class="mono small">${escapeHtml(id)}<br>${escapeHtml(c.time)}</td><td class="mono small">${escapeHtml(c.chain)}</td><td>${c.size} events</td><td class="mono small">${escapeHtml(c.root)}</td><td class="mono">${escapeHtml(c.kid)}</td></tr>`).join('')}</tbody></table>
<p class="desc">${Object.keys(r.integrity.proofs).length} events proven${r.integrity.unproven.length ? `; ${r.integrity.unproven.length} not yet covered by a signed checkpoint` : ''}.</p>
</body></html>`;
}
