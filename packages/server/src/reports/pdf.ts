/** A report as PDF (pdfkit): the same content as the HTML page, laid out for print. */
import PDFDocument from 'pdfkit';
import { actorOf, resourceOf } from './html';
import type { ComplianceReport } from './types';

const MARGIN = 40;
/** Column x offsets and widths of the event tables (A4 landscape). */
const COLUMNS: Array<[string, number]> = [
  ['Time (UTC)', 120],
  ['Type', 120],
  ['Outcome', 52],
  ['Actor', 100],
  ['Resource', 100],
  ['Message', 190],
  ['Event id', 80],
];

export function renderReportPdf(r: ComplianceReport): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: MARGIN,
    info: { Title: r.title, Creator: 'auditkit' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const bottom = () => doc.page.height - MARGIN - 20;
  const heading = (text: string) => {
    if (doc.y > bottom() - 60) doc.addPage();
    doc.moveDown(0.6).font('Helvetica-Bold').fontSize(13).fillColor('#1f2430').text(text, MARGIN);
    doc.moveDown(0.2);
  };
  const small = (text: string) => doc.font('Helvetica').fontSize(9).fillColor('#5b6475').text(text, MARGIN);

  doc.font('Helvetica-Bold').fontSize(18).fillColor('#1f2430').text(r.title);
  small(
    [
      r.scope.subject ? `Subject: ${r.scope.subject}` : '',
      r.scope.from ? `Period: ${r.scope.from} to ${r.scope.to}` : '',
      `Tenant: ${r.scope.tenant ?? 'all tenants'}`,
      `Generated ${r.generatedAt} by ${r.generatedBy}`,
    ]
      .filter(Boolean)
      .join('   ·   '),
  );
  heading('Summary');
  for (const s of r.summary) {
    const y = doc.y;
    doc.font('Helvetica').fontSize(10).fillColor('#1f2430').text(s.label, MARGIN, y, { width: 300 });
    doc.font('Helvetica-Bold').text(String(s.value), MARGIN + 310, y);
  }

  for (const s of r.sections) {
    heading(`${s.title} (${s.total})`);
    small(s.description + (s.total > s.events.length ? ` The first ${s.events.length} are listed.` : ''));
    if (s.events.length === 0) continue;
    const header = () => {
      let x = MARGIN;
      const y = doc.y + 4;
      doc.font('Helvetica-Bold').fontSize(8).fillColor('#5b6475');
      for (const [title, w] of COLUMNS) {
        doc.text(title.toUpperCase(), x, y, { width: w - 4 });
        x += w;
      }
      doc.moveDown(0.3);
    };
    header();
    for (const l of s.events) {
      const e = l.event;
      const marks = l.erased
        ? ' [erased: crypto-shredded]'
        : l.encrypted?.length
          ? ` [encrypted: ${l.encrypted.join(', ')}]`
          : '';
      const cells = [e.time, e.type, e.outcome, actorOf(e), resourceOf(e), (e.message ?? '') + marks, e.id];
      doc.font('Helvetica').fontSize(8);
      const height = Math.max(
        ...cells.map((c, i) => doc.heightOfString(String(c), { width: COLUMNS[i]![1] - 4 })),
      );
      if (doc.y + height > bottom()) {
        doc.addPage();
        header();
      }
      const y = doc.y;
      let x = MARGIN;
      cells.forEach((c, i) => {
        doc
          .fillColor(i === 2 && c === 'failure' ? '#b42318' : '#1f2430')
          .text(String(c), x, y, { width: COLUMNS[i]![1] - 4 });
        x += COLUMNS[i]![1];
      });
      doc.y = y + height + 3;
    }
  }

  heading('Integrity appendix');
  small(
    `Each chain holding a listed event, verified end to end${r.integrity.signaturesChecked ? ' with checkpoint signatures' : ' (signatures not checked: no public key given)'}. ` +
      'The JSON form of this report carries one inclusion proof per listed event (integrity.proofs); check one offline with: auditkit verify-proof proof.json --key signing.pub',
  );
  doc.moveDown(0.4);
  for (const c of r.integrity.chains) {
    doc
      .font('Helvetica-Bold')
      .fontSize(9)
      .fillColor(c.ok ? '#13795b' : '#b42318')
      .text(`${c.ok ? 'INTACT' : 'BROKEN'}  `, MARGIN, doc.y, { continued: true })
      .font('Courier')
      .fillColor('#1f2430')
      .text(
        `${c.chain}  ${c.events} events` +
          (c.lastCheckpoint
            ? `, last checkpoint seq ${c.lastCheckpoint.seq} (${c.lastCheckpoint.time}, key ${c.lastCheckpoint.kid})`
            : ', no checkpoint') +
          (c.firstBreak
            ? `; first break: ${c.firstBreak.kind} at seq ${c.firstBreak.seq ?? '?'}: ${c.firstBreak.message}`
            : ''),
      );
  }
  const seen = new Set<string>();
  doc.moveDown(0.4);
  for (const p of Object.values(r.integrity.proofs)) {
    const cp = p.checkpoint.checkpoint;
    if (seen.has(cp.id)) continue;
    seen.add(cp.id);
    if (doc.y > bottom()) doc.addPage();
    doc
      .font('Courier')
      .fontSize(7.5)
      .fillColor('#1f2430')
      .text(
        `checkpoint ${cp.id} of ${cp.chain}: ${cp.size} events, root ${cp.merkleRoot}, key ${p.checkpoint.kid}, ${cp.time}`,
        MARGIN,
      );
  }
  small(
    `${Object.keys(r.integrity.proofs).length} events proven${r.integrity.unproven.length ? `; ${r.integrity.unproven.length} not yet covered by a signed checkpoint` : ''}.`,
  );
  doc.end();
  return done;
}
