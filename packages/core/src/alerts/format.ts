import type { Alert, AlertNotification } from './types';

/** `[ERROR] brute-force actor u-1: <title>`: one line per alert, shared by the text channels. */
export function alertLine(alert: Alert): string {
  return `[${alert.severity.toUpperCase()}] ${alert.kind} ${alert.subject.type} ${alert.subject.id}${
    alert.tenant ? ` (tenant ${alert.tenant})` : ''
  }: ${alert.title}`;
}

/** The subject line of a notification: the alert's own title, or a count for a group. */
export function notificationTitle(n: AlertNotification): string {
  const prefix = n.reason === 'escalated' ? 'ESCALATED: ' : '';
  if (n.alerts.length === 1) return `${prefix}${alertLine(n.alerts[0]!)}`;
  return `${prefix}${n.alerts.length} alerts from ${n.service} (route ${n.route})`;
}

/** Plain-text body: every alert with its ids and evidence. */
export function notificationText(n: AlertNotification): string {
  const lines: string[] = [];
  for (const a of n.alerts) {
    lines.push(alertLine(a));
    lines.push(`  alert ${a.id}, event ${a.eventId}, opened ${a.openedAt}, route ${a.route}`);
    if (a.evidence) lines.push(`  evidence: ${JSON.stringify(a.evidence)}`);
  }
  lines.push(`service ${n.service}`);
  return `${lines.join('\n')}\n`;
}
