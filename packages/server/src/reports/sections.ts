/**
 * What each section of a period review holds, decided per event: privileged actions, access to
 * sensitive resources, failures and denials, anomalies and alerts, changes to retention or keys.
 */
import type { AuditEvent } from '@auditkit/core';
import type { ReportControl } from './types';

export interface SectionRule {
  id: string;
  title: string;
  description: string;
  matches(event: AuditEvent, controls: readonly ReportControl[]): boolean;
}

const PRIVILEGED_ROLES = /^(admin|administrator|root|superuser|owner|security)$/i;
const PRIVILEGED_ACTIONS = new Set(['grant', 'revoke', 'assume', 'impersonate', 'configure', 'elevate']);
/** Resource types that hold personal, health, card or financial data. */
const SENSITIVE_RESOURCES =
  /^(user|customer|patient|person|member|employee|account|payment|card|invoice|ledger|record|medical|phi|pii|health|order)s?$/i;
const KEY_OR_RETENTION = /(^|\.)(retention|keys?|keyring|api[-_]?keys?|rotation|erasure|signing)(\.|$)/i;

const hasControlTag = (e: AuditEvent, controls: readonly ReportControl[]) =>
  (e.compliance ?? []).some((tag) => controls.includes(tag.toLowerCase() as ReportControl));

export const PERIOD_SECTIONS: readonly SectionRule[] = [
  {
    id: 'privileged',
    title: 'Privileged and administrative actions',
    description:
      'Actions in the admin category, by actors holding privileged roles, or granting and revoking rights.',
    matches: (e) =>
      e.category === 'admin' ||
      PRIVILEGED_ACTIONS.has(e.action) ||
      (e.actor?.roles ?? []).some((r) => PRIVILEGED_ROLES.test(r)),
  },
  {
    id: 'sensitive',
    title: 'Access to sensitive resources',
    description:
      'Reads, exports and changes of personal, health, card or financial records, and events tagged with the selected controls.',
    matches: (e, controls) =>
      (e.resource?.type !== undefined && SENSITIVE_RESOURCES.test(e.resource.type)) ||
      hasControlTag(e, controls),
  },
  {
    id: 'failures',
    title: 'Failures and denials',
    description: 'Failed logins, denied access and failed operations.',
    matches: (e) => e.outcome === 'failure' || (e.category === 'authorization' && e.action === 'deny'),
  },
  {
    id: 'anomalies',
    title: 'Anomalies and alerts',
    description: 'Anomalies the detectors raised and the alerts opened, acknowledged and resolved.',
    matches: (e) =>
      e.type.startsWith('alert.') || e.type.startsWith('anomaly') || e.type.startsWith('security.'),
  },
  {
    id: 'configuration',
    title: 'Changes to retention and keys',
    description: 'Retention runs and policy changes, key creation, rotation, revocation and erasure.',
    matches: (e) =>
      e.type !== 'audit.checkpoint' &&
      (KEY_OR_RETENTION.test(e.type) ||
        (e.resource?.type !== undefined && KEY_OR_RETENTION.test(e.resource.type))),
  },
];
