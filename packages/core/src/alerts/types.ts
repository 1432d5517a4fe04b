import type { AnomalyEvidence, AnomalySubject, DetectionStore, EventFilter } from '../detect/types';
import type { AuditEvent, Severity } from '../types';

/** Public types of alerting: channels, routes, alerts and their lifecycle. */

export type AlertStatus = 'open' | 'acknowledged' | 'resolved';

/** One alert: an anomaly (or a matching event) routed to people. Its lifecycle is recorded as audit events. */
export interface Alert {
  /** UUIDv7 of the alert; `resource.id` of its `alert.*` events. */
  id: string;
  /** Route that opened it. */
  route: string;
  /** Anomaly kind (`brute-force`, ...) or, for event-filter routes, the event type. */
  kind: string;
  subject: AnomalySubject;
  tenant?: string;
  severity: Severity;
  /** One human sentence. */
  title: string;
  /** The event behind it: the `security.anomaly` event, or the event that matched the route. */
  eventId: string;
  evidence?: AnomalyEvidence;
  openedAt: string;
  status: AlertStatus;
  acknowledgedBy?: string;
  acknowledgedAt?: string;
  resolvedBy?: string;
  resolvedAt?: string;
  escalatedAt?: string;
}

/** What a channel is asked to deliver: one alert, or a group of them, opened or escalated. */
export interface AlertNotification {
  reason: 'opened' | 'escalated';
  route: string;
  /** `source.service` of the logger that raised them. */
  service: string;
  alerts: Alert[];
}

/**
 * Where alerts go. `send` rejects on failure; the router retries with backoff and reports, and never
 * lets a channel slow down or break the pipeline.
 */
export interface AlertChannel {
  readonly name: string;
  /** `signal` aborts when the logger closes and gives up on the notification: stop waiting then. */
  send(notification: AlertNotification, options?: { signal?: AbortSignal }): Promise<void>;
  close?(): Promise<void>;
}

/** Sends what matches to channels, with cooldown, rate limit, grouping and escalation. */
export interface AlertRoute {
  /** Unique name, recorded on every alert. */
  name: string;
  /** Anomaly kinds this route takes (`'*'` for every kind). Default none. */
  kinds?: string | string[];
  /** And/or any event that matches (anomaly events included; `alert.*` events never match). Default none. */
  match?: EventFilter | ((event: AuditEvent) => boolean);
  /** Names of the channels to notify. Required. */
  channels: string | string[];
  /** One alert per subject per this many ms. Default `alerts.cooldownMs`. */
  cooldownMs?: number;
  /** At most `max` alerts per subject per `windowMs`. Default none. */
  rateLimit?: { max: number; windowMs: number };
  /** Alerts of this route within this many ms go out as one notification. Default `alerts.groupWindowMs` (0: at once). */
  groupWindowMs?: number;
  /** Notify these channels too when an alert is still unacknowledged after `afterMs`. Default none. */
  escalate?: { afterMs: number; channels: string | string[] };
  /** Subject of an event-filter alert (cooldown key). Default the actor id, else the IP, else the event type. */
  subject?: (event: AuditEvent) => string | undefined;
}

export interface AlertRetryOptions {
  /** Attempts per channel per notification, including the first. Default 3. */
  attempts?: number;
  /** First backoff delay (ms), doubled per attempt, full jitter. Default 200. */
  baseDelayMs?: number;
  /** Longest backoff delay (ms). Default 5000. */
  maxDelayMs?: number;
  /** A send that takes longer counts as failed (ms). Default 10000. */
  timeoutMs?: number;
}

/** The `alerts` option of `createAuditLogger`. */
export interface AlertOptions {
  /** Channels by name. Required. */
  channels: AlertChannel[];
  /** Routes. Required. */
  routes: AlertRoute[];
  /** Default cooldown per route and subject (ms). Default 900000 (15 min). */
  cooldownMs?: number;
  /** Default grouping window (ms). Default 0 (every alert goes out at once). */
  groupWindowMs?: number;
  retry?: AlertRetryOptions;
  /**
   * How long `close()` waits for notifications still being sent (ms); what is left is abandoned,
   * counted in `stats().alerts` and named in `health()`. `flush()` never waits for channels. Default 2000.
   */
  closeGraceMs?: number;
  /** Cooldowns, rate limits and acknowledgements. Default `detect.state`, else in-memory. */
  state?: DetectionStore;
  /** Alerts kept in memory for `list()` (resolved ones are forgotten first). Default 1000. */
  maxAlerts?: number;
  /** Clock in ms for cooldowns and rate limits; injectable for tests. Default `detect.now`, else `Date.now`. */
  now?: () => number;
}

export interface ChannelStats {
  name: string;
  /** Notifications delivered. */
  sent: number;
  /** Notifications given up on after every attempt. */
  failed: number;
  retries: number;
  consecutiveFailures: number;
  /** Notifications still being sent when `close()`'s grace ran out; given up, not delivered. */
  abandoned: number;
  lastError?: string;
  lastErrorAt?: string;
}

/** Alert counters in `stats().alerts`. */
export interface AlertStats {
  opened: number;
  suppressedByCooldown: number;
  suppressedByRateLimit: number;
  /** Notifications that carried more than one alert. */
  grouped: number;
  escalated: number;
  acknowledged: number;
  resolved: number;
  /** Alerts lost because the state store failed. */
  stateErrors: number;
  /** Notifications given up at `close()` because a channel had not answered within `closeGraceMs`. */
  abandoned: number;
  channels: ChannelStats[];
}

/** Who changes an alert's state, and why. */
export interface AlertChange {
  /** Person or system making the change; recorded as the actor of the event. Required. */
  by: string;
  note?: string;
}

/**
 * `logger.alerts`: the alerts this instance knows and their state. Changing state records an
 * `alert.acknowledged` / `alert.resolved` event and, with a shared store, stops escalation on
 * every instance.
 */
export interface AlertControl {
  list(filter?: { status?: AlertStatus; route?: string }): Alert[];
  get(id: string): Alert | undefined;
  /** Resolves false when the alert is already acknowledged or resolved here. */
  acknowledge(id: string, change: AlertChange): Promise<boolean>;
  /** Resolves false when the alert is already resolved here. */
  resolve(id: string, change: AlertChange): Promise<boolean>;
  /**
   * Resolves once every notification decided so far is sent or given up (retries included).
   * `flush()` waits for events only; this waits for the channels too.
   */
  sent(): Promise<void>;
}
