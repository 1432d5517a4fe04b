import { DEFAULTS } from '../../defaults';
import type { CommonThresholds, DetectionRule } from '../types';
import { checkRuleOptions, requireNumbers } from './support';

export interface BusinessHoursThresholds extends CommonThresholds {
  /** IANA time zone of the hours. Default `UTC`. */
  timezone: string;
  /** Working days, 0 = Sunday … 6 = Saturday. Default Monday to Friday. */
  days: number[];
  /** Start of the working day, `HH:MM` local time. Default `08:00`. */
  start: string;
  /** End of the working day (exclusive), `HH:MM`. Default `18:00`. */
  end: string;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function minutes(hhmm: string, option: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!m || Number(m[1]) > 24 || Number(m[2]) > 59)
    throw new RangeError(`auditkit: business-hours.${option} must be HH:MM, got "${hhmm}"`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Local weekday and minute of the day in one zone; the answer is cached per minute (events come in time order). */
function localClock(timezone: string): (ms: number) => { day: number; minute: number; text: string } {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
  } catch {
    throw new RangeError(`auditkit: business-hours.timezone is not a time zone: "${timezone}"`);
  }
  let cachedMinute = Number.NaN;
  let cached = { day: 0, minute: 0, text: '' };
  return (ms) => {
    const minute = Math.floor(ms / 60_000);
    if (minute === cachedMinute) return cached;
    const parts: Record<string, string> = {};
    for (const p of format.formatToParts(ms)) parts[p.type] = p.value;
    cachedMinute = minute;
    cached = {
      day: WEEKDAYS[parts.weekday ?? ''] ?? 0,
      minute: Number(parts.hour) * 60 + Number(parts.minute),
      text: `${parts.weekday} ${parts.hour}:${parts.minute} ${timezone}`,
    };
    return cached;
  };
}

/** Activity by a user outside the configured business hours (per-tenant hours and zone allowed). */
export function businessHours(
  options: Partial<BusinessHoursThresholds> = {},
): DetectionRule<BusinessHoursThresholds> {
  const name = 'off-hours-activity';
  checkRuleOptions('businessHours', options, DEFAULTS.detect.rules.businessHours);
  const defaults = DEFAULTS.detect.rules.businessHours;
  const thresholds: BusinessHoursThresholds = {
    ...defaults,
    ...options,
    days: [...(options.days ?? defaults.days)],
  };
  requireNumbers(name, thresholds, thresholds.cooldownMs !== undefined ? ['cooldownMs'] : []);
  // Compiled per distinct setting, so tenants with their own zone or hours cost the same.
  const compiled = new Map<
    string,
    { clock: ReturnType<typeof localClock>; days: Set<number>; start: number; end: number }
  >();
  const compile = (t: BusinessHoursThresholds) => {
    const id = `${t.timezone}|${t.days.join(',')}|${t.start}|${t.end}`;
    let c = compiled.get(id);
    if (!c) {
      c = {
        clock: localClock(t.timezone),
        days: new Set(t.days),
        start: minutes(t.start, 'start'),
        end: minutes(t.end, 'end'),
      };
      compiled.set(id, c);
    }
    return c;
  };
  compile(thresholds);
  return {
    name,
    severity: 'notice',
    thresholds,
    observe(e, t) {
      if (e.actor.type !== 'user' || !e.actor.id) return undefined;
      const c = compile(t);
      // The event's own time: the hours are about when it happened.
      const local = c.clock(Date.parse(e.time));
      const inside = c.days.has(local.day) && local.minute >= c.start && local.minute < c.end;
      return inside ? undefined : [];
    },
    decide(e, _results, t) {
      const local = compile(t).clock(Date.parse(e.time));
      return {
        subject: { type: 'actor', id: e.actor.id! },
        message: `activity outside business hours by actor ${e.actor.id} at ${local.text}`,
        evidence: {
          count: 1,
          localTime: local.text,
          businessHours: { timezone: t.timezone, days: t.days, start: t.start, end: t.end },
          sampleEventIds: [e.id],
        },
      };
    },
  };
}
