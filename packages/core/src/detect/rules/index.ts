import type { DetectionRule } from '../types';
import { accessDeniedBurst } from './access-denied';
import { bruteForce } from './brute-force';
import { credentialStuffing } from './credential-stuffing';
import { firstSeenIp } from './first-seen-ip';
import { largeExport } from './large-export';
import { privilegeEscalation } from './privilege-escalation';
import { rateSpike } from './rate-spike';

export { type AccessDeniedThresholds, accessDeniedBurst } from './access-denied';
export { type BruteForceThresholds, bruteForce } from './brute-force';
export { type BusinessHoursThresholds, businessHours } from './business-hours';
export { type CredentialStuffingThresholds, credentialStuffing } from './credential-stuffing';
export { type FirstSeenIpThresholds, firstSeenIp } from './first-seen-ip';
export { type LargeExportThresholds, largeExport } from './large-export';
export {
  type PrivilegeEscalationOptions,
  type PrivilegeEscalationThresholds,
  privilegeEscalation,
} from './privilege-escalation';
export { type RateSpikeThresholds, rateSpike } from './rate-spike';

/** Every built-in rule with its default thresholds, except business hours (it needs your hours). */
export function defaultRules(): DetectionRule[] {
  return [
    bruteForce(),
    credentialStuffing(),
    accessDeniedBurst(),
    largeExport(),
    rateSpike(),
    firstSeenIp(),
    privilegeEscalation(),
  ];
}
