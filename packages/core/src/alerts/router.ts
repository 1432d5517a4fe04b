import { newEventId } from '../capture/ids';
import { DEFAULTS } from '../defaults';
import { isOwnEvent, type StageHost } from '../detect/engine';
import { ANOMALY_TYPE } from '../detect/rules/support';
import type { AnomalyEvidence, AnomalySubject, DetectionStore, StateOp, WindowResult } from '../detect/types';
import type { AuditEvent, AuditInput, Severity } from '../types';
import type { ResolvedAlerts, ResolvedRoute } from './resolve';
import { sendWithRetry } from './send';
import type {
  Alert,
  AlertChange,
  AlertChannel,
  AlertControl,
  AlertNotification,
  AlertStats,
  AlertStatus,
  ChannelStats,
} from './types';

interface Candidate {
  route: ResolvedRoute;
  event: AuditEvent;
  now: number;
}

interface Tracked {
  alert: Alert;
  route: ResolvedRoute;
  escalation: NodeJS.Timeout | undefined;
}

interface Group {
  alerts: Alert[];
  timer: NodeJS.Timeout;
}

const SAFE_ID = /^[\w\-.:@]{1,128}$/;

function anomalyDetails(e: AuditEvent): {
  kind: string;
  subject?: AnomalySubject;
  evidence?: AnomalyEvidence;
} {
  const d = e.details as { kind?: unknown; subject?: AnomalySubject; evidence?: AnomalyEvidence } | undefined;
  return {
    kind: typeof d?.kind === 'string' ? d.kind : 'unknown',
    subject: d?.subject,
    evidence: d?.evidence,
  };
}

/**
 * Turns anomalies (and events that match a route's filter) into alerts: cooldown and rate limit per
 * route and subject (atomic in the shared store, so a fleet alerts once), grouping, delivery to
 * channels with retries, escalation of unacknowledged alerts, and the lifecycle as audit events.
 * Everything after `observe` happens off the caller's stack.
 */
export class AlertRouter implements AlertControl {
  readonly #routes: ResolvedRoute[];
  readonly #store: DetectionStore;
  readonly #now: () => number;
  readonly #host: StageHost;
  readonly #service: string;
  readonly #policy: ResolvedAlerts['retry'];
  readonly #maxAlerts: number;
  readonly #channels: AlertChannel[];
  readonly #channelStats = new Map<string, ChannelStats>();
  #queue: Candidate[] = [];
  #scheduled = false;
  readonly #work = new Set<Promise<unknown>>();
  /** Notifications being sent, by channel: flush never waits for them, close waits a bounded grace. */
  readonly #deliveries = new Map<Promise<unknown>, string>();
  /** Aborted when close() gives up on what is still being sent. */
  readonly #abandon = new AbortController();
  readonly #closeGraceMs: number;
  readonly #alerts = new Map<string, Tracked>();
  readonly #groups = new Map<string, Group>();
  #closed = false;
  readonly #counters = {
    opened: 0,
    suppressedByCooldown: 0,
    suppressedByRateLimit: 0,
    grouped: 0,
    escalated: 0,
    acknowledged: 0,
    resolved: 0,
    stateErrors: 0,
    abandoned: 0,
  };

  constructor(
    config: ResolvedAlerts,
    store: DetectionStore,
    now: () => number,
    host: StageHost,
    service: string,
  ) {
    this.#routes = config.routes;
    this.#store = store;
    this.#now = now;
    this.#host = host;
    this.#service = service;
    this.#policy = config.retry;
    this.#maxAlerts = config.maxAlerts;
    this.#channels = config.channels;
    this.#closeGraceMs = config.closeGraceMs;
    for (const c of config.channels)
      this.#channelStats.set(c.name, {
        name: c.name,
        sent: 0,
        failed: 0,
        retries: 0,
        consecutiveFailures: 0,
        abandoned: 0,
      });
  }

  get idle(): boolean {
    return this.#work.size === 0 && this.#queue.length === 0 && this.#groups.size === 0;
  }

  /** Delivery runs beside the pipeline: only close() waits for it, and only for a while. */
  #trackDelivery(channel: string, p: Promise<unknown>): void {
    const tracked = p.catch((error) =>
      this.#host.report('alert', `alerting failed: ${String(error)}`, error),
    );
    this.#deliveries.set(tracked, channel);
    void tracked.finally(() => this.#deliveries.delete(tracked));
  }

  /** Called for every admitted event; only matching ones cost more than a few comparisons. */
  observe(e: AuditEvent): void {
    if (this.#closed) return;
    const anomaly = e.type === ANOMALY_TYPE;
    if (!anomaly && isOwnEvent(e)) return; // alert.* never raise alerts
    let kind: string | undefined;
    for (const route of this.#routes) {
      let hit = false;
      if (anomaly && route.kinds !== undefined) {
        kind ??= anomalyDetails(e).kind;
        hit = route.kinds === '*' || route.kinds.has(kind);
      }
      if (!hit && route.match !== undefined) {
        try {
          hit = route.match(e);
        } catch (error) {
          this.#host.report('alert', `alert route "${route.name}" match threw: ${String(error)}`, error);
        }
      }
      if (hit) this.#queue.push({ route, event: e, now: this.#now() });
    }
    if (this.#queue.length > 0 && !this.#scheduled) {
      this.#scheduled = true;
      this.#track(Promise.resolve().then(() => this.#drain()));
    }
  }

  #drain(): void {
    this.#scheduled = false;
    const queue = this.#queue;
    this.#queue = [];
    for (const c of queue) this.#track(this.#process(c));
  }

  #track(p: Promise<unknown>): void {
    const tracked = p.catch((error) =>
      this.#host.report(
        'alert',
        `alerting failed: ${error instanceof Error ? error.message : String(error)}`,
        error,
      ),
    );
    this.#work.add(tracked);
    void tracked.finally(() => this.#work.delete(tracked));
  }

  #build(c: Candidate): Alert {
    const e = c.event;
    const now = new Date().toISOString();
    let kind = e.type;
    let subject: AnomalySubject;
    let evidence: AnomalyEvidence | undefined;
    if (e.type === ANOMALY_TYPE) {
      const d = anomalyDetails(e);
      kind = d.kind;
      evidence = d.evidence;
      subject = d.subject ?? { type: e.resource?.type ?? 'unknown', id: e.resource?.id ?? 'unknown' };
    } else {
      let id: string | undefined;
      try {
        id = c.route.subject?.(e);
      } catch (error) {
        this.#host.report('alert', `alert route "${c.route.name}" subject threw: ${String(error)}`, error);
      }
      subject = id
        ? { type: 'custom', id }
        : e.actor.id
          ? { type: 'actor', id: e.actor.id }
          : e.actor.ip
            ? { type: 'ip', id: e.actor.ip }
            : { type: 'event', id: e.type };
    }
    const alert: Alert = {
      id: newEventId(),
      route: c.route.name,
      kind,
      subject,
      severity: e.severity as Severity,
      title: e.message ?? `${kind} for ${subject.type} ${subject.id}`,
      eventId: e.id,
      openedAt: now,
      status: 'open',
    };
    if (e.tenant !== undefined) alert.tenant = e.tenant;
    if (evidence !== undefined) alert.evidence = evidence;
    return alert;
  }

  async #process(c: Candidate): Promise<void> {
    const alert = this.#build(c);
    const route = c.route;
    const scope = `${route.name}|${alert.tenant ?? ''}|${alert.subject.type}|${alert.subject.id}`;
    const ops: StateOp[] = [{ op: 'claim', key: `alert|cooldown|${scope}`, ttlMs: route.cooldownMs }];
    if (route.rateLimit)
      ops.push({
        op: 'window',
        key: `alert|rate|${scope}`,
        windowMs: route.rateLimit.windowMs,
        member: alert.id,
        limit: route.rateLimit.max,
      });
    let results: unknown[];
    try {
      results = await this.#store.apply(ops, c.now);
    } catch (error) {
      this.#counters.stateErrors++;
      this.#host.report(
        'alert',
        `alert state store "${this.#store.name}" failed; an alert was lost: ${String(error)}`,
        error,
      );
      return;
    }
    if (results[0] !== true) {
      this.#counters.suppressedByCooldown++;
      return;
    }
    if (route.rateLimit && (results[1] as WindowResult | undefined)?.added !== true) {
      this.#counters.suppressedByRateLimit++;
      return;
    }
    this.#open(alert, route, c.event);
  }

  #open(alert: Alert, route: ResolvedRoute, cause: AuditEvent): void {
    this.#counters.opened++;
    const tracked: Tracked = { alert, route, escalation: undefined };
    this.#remember(tracked);
    this.#record('alert.opened', alert, `alert opened: ${alert.title}`, {
      channels: route.channels.map((c) => c.name),
      ...(route.escalate ? { escalateAfterMs: route.escalate.afterMs } : {}),
      correlationId: cause.correlationId,
    });
    if (route.groupWindowMs > 0) this.#addToGroup(route, alert);
    else this.#notify(route, [alert], 'opened', route.channels);
    if (route.escalate && !this.#closed) {
      tracked.escalation = setTimeout(
        () => this.#track(this.#maybeEscalate(tracked)),
        route.escalate.afterMs,
      );
      tracked.escalation.unref();
    }
  }

  #remember(tracked: Tracked): void {
    this.#alerts.set(tracked.alert.id, tracked);
    if (this.#alerts.size <= this.#maxAlerts) return;
    // Forget a resolved alert first, else the oldest one.
    let victim: string | undefined;
    for (const [id, t] of this.#alerts)
      if (t.alert.status === 'resolved') {
        victim = id;
        break;
      }
    victim ??= this.#alerts.keys().next().value;
    if (victim === undefined) return;
    const t = this.#alerts.get(victim);
    if (t?.escalation) clearTimeout(t.escalation);
    this.#alerts.delete(victim);
  }

  #addToGroup(route: ResolvedRoute, alert: Alert): void {
    const group = this.#groups.get(route.name);
    if (group) {
      group.alerts.push(alert);
      return;
    }
    const timer = setTimeout(() => this.#flushGroup(route), route.groupWindowMs);
    timer.unref();
    this.#groups.set(route.name, { alerts: [alert], timer });
  }

  #flushGroup(route: ResolvedRoute): void {
    const group = this.#groups.get(route.name);
    if (!group) return;
    clearTimeout(group.timer);
    this.#groups.delete(route.name);
    if (group.alerts.length > 1) this.#counters.grouped++;
    this.#notify(route, group.alerts, 'opened', route.channels);
  }

  #notify(
    route: ResolvedRoute,
    alerts: Alert[],
    reason: AlertNotification['reason'],
    channels: AlertChannel[],
  ): void {
    const notification: AlertNotification = {
      reason,
      route: route.name,
      service: this.#service,
      alerts: alerts.map((a) => ({ ...a })),
    };
    for (const channel of channels) {
      const stats = this.#channelStats.get(channel.name)!;
      this.#trackDelivery(
        channel.name,
        sendWithRetry(
          channel,
          notification,
          this.#policy,
          stats,
          (error, final) =>
            this.#host.report(
              'alert',
              `alert channel "${channel.name}" failed${final ? ' after all retries' : ', retrying'}: ${
                error instanceof Error ? error.message : String(error)
              }`,
              error,
            ),
          this.#abandon.signal,
        ),
      );
    }
  }

  async #maybeEscalate(tracked: Tracked): Promise<void> {
    tracked.escalation = undefined;
    const { alert, route } = tracked;
    if (alert.status !== 'open' || !route.escalate) return;
    // Another instance (or a server) may have acknowledged it: the shared store knows.
    const [acked, resolved] = await this.#store.apply(
      [
        { op: 'peek', key: `alert|ack|${alert.id}` },
        { op: 'peek', key: `alert|resolved|${alert.id}` },
      ],
      this.#now(),
    );
    if (acked === true || resolved === true || alert.status !== 'open') return;
    alert.escalatedAt = new Date().toISOString();
    this.#counters.escalated++;
    this.#record(
      'alert.escalated',
      alert,
      `alert escalated, unacknowledged after ${route.escalate.afterMs} ms: ${alert.title}`,
      {
        channels: route.escalate.channels.map((c) => c.name),
      },
    );
    this.#notify(route, [alert], 'escalated', route.escalate.channels);
  }

  /** Records one step of an alert's lifecycle as an audit event (sealed like any other). */
  #record(
    type: string,
    alert: Alert,
    message: string,
    extra: Record<string, unknown>,
    by?: AlertChange,
  ): void {
    const input: AuditInput = {
      type,
      category: 'security',
      action: type.slice('alert.'.length),
      outcome: 'success',
      severity: type === 'alert.opened' || type === 'alert.escalated' ? alert.severity : 'info',
      message,
      actor: by ? { type: 'user', id: by.by } : { type: 'system', id: 'auditkit.alerts' },
      resource: { type: 'alert', id: alert.id },
      details: {
        route: alert.route,
        kind: alert.kind,
        subject: alert.subject,
        status: alert.status,
        eventId: alert.eventId,
        ...(by?.note !== undefined ? { note: by.note } : {}),
        ...extra,
      },
    };
    const { correlationId } = extra;
    if (typeof correlationId === 'string') input.correlationId = correlationId;
    if (input.details) delete input.details.correlationId;
    if (alert.tenant !== undefined) input.tenant = alert.tenant;
    this.#host.emit(input);
  }

  list(filter: { status?: AlertStatus; route?: string } = {}): Alert[] {
    const out: Alert[] = [];
    for (const { alert } of this.#alerts.values())
      if (
        (!filter.status || alert.status === filter.status) &&
        (!filter.route || alert.route === filter.route)
      )
        out.push({ ...alert });
    return out;
  }

  get(id: string): Alert | undefined {
    const t = this.#alerts.get(id);
    return t ? { ...t.alert } : undefined;
  }

  acknowledge(id: string, change: AlertChange): Promise<boolean> {
    return this.#change(id, change, 'acknowledged');
  }

  resolve(id: string, change: AlertChange): Promise<boolean> {
    return this.#change(id, change, 'resolved');
  }

  async #change(id: string, change: AlertChange, to: 'acknowledged' | 'resolved'): Promise<boolean> {
    if (typeof id !== 'string' || !SAFE_ID.test(id))
      throw new TypeError('auditkit: alert id must be an alert id');
    if (!change || typeof change.by !== 'string' || change.by.length === 0)
      throw new TypeError('auditkit: an alert change needs `by` (who made it)');
    const tracked = this.#alerts.get(id);
    const alert: Alert = tracked?.alert ?? {
      // Opened by another instance: the change is still recorded, and the shared store stops its escalation.
      id,
      route: 'unknown',
      kind: 'unknown',
      subject: { type: 'unknown', id: 'unknown' },
      severity: 'info',
      title: `alert ${id}`,
      eventId: 'unknown',
      openedAt: '',
      status: 'open',
    };
    if (alert.status === 'resolved' || (to === 'acknowledged' && alert.status === 'acknowledged'))
      return false;
    const at = new Date().toISOString();
    alert.status = to;
    if (to === 'acknowledged') {
      alert.acknowledgedBy = change.by;
      alert.acknowledgedAt = at;
      this.#counters.acknowledged++;
    } else {
      alert.resolvedBy = change.by;
      alert.resolvedAt = at;
      this.#counters.resolved++;
    }
    if (tracked?.escalation) {
      clearTimeout(tracked.escalation);
      tracked.escalation = undefined;
    }
    this.#record(`alert.${to}`, alert, `alert ${to} by ${change.by}: ${alert.title}`, {}, change);
    const marker = to === 'acknowledged' ? 'ack' : 'resolved';
    try {
      await this.#store.apply(
        [{ op: 'claim', key: `alert|${marker}|${id}`, ttlMs: DEFAULTS.alerts.stateTtlMs }],
        this.#now(),
      );
    } catch (error) {
      this.#counters.stateErrors++;
      this.#host.report(
        'alert',
        `alert state store "${this.#store.name}" failed to record ${to}: ${String(error)}`,
        error,
      );
    }
    return true;
  }

  /**
   * Decides every pending candidate (state store, lifecycle events) and hands grouped alerts to
   * their channels now. Does not wait for the channels: a hanging receiver must not stall flush().
   */
  async settle(): Promise<void> {
    while (!this.idle) {
      for (const route of this.#routes) if (this.#groups.has(route.name)) this.#flushGroup(route);
      if (this.#work.size > 0) await Promise.all([...this.#work]);
      else await Promise.resolve();
    }
  }

  async sent(): Promise<void> {
    await this.settle();
    while (this.#deliveries.size > 0) await Promise.all([...this.#deliveries.keys()]);
  }

  /**
   * Decides what is pending, cancels escalations that have not fired, gives the channels
   * `closeGraceMs` to finish sending and closing, then abandons the rest (counted and reported).
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.settle();
    for (const t of this.#alerts.values()) if (t.escalation) clearTimeout(t.escalation);
    const deadline = Date.now() + this.#closeGraceMs;
    await this.#within(this.sent(), this.#closeGraceMs);
    const left = [...this.#deliveries.values()];
    if (left.length > 0) {
      this.#abandon.abort();
      this.#counters.abandoned += left.length;
      for (const name of left) this.#channelStats.get(name)!.abandoned++;
      for (const name of new Set(left))
        this.#host.report(
          'alert',
          `alert channel "${name}" did not finish within ${this.#closeGraceMs} ms of close(); ${
            left.filter((n) => n === name).length
          } notifications abandoned`,
        );
    }
    await Promise.all(
      this.#channels.map(async (c) => {
        try {
          const closed = await this.#within(
            Promise.resolve(c.close?.()).then(() => true),
            Math.max(0, deadline - Date.now()),
          );
          if (closed === undefined && c.close)
            this.#host.report('alert', `alert channel "${c.name}" did not close within the close grace`);
        } catch (error) {
          this.#host.report('alert', `alert channel "${c.name}" close failed: ${String(error)}`, error);
        }
      }),
    );
  }

  /** `p`'s value, or undefined once `ms` have passed. */
  #within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    });
    return Promise.race([p, limit]).finally(() => clearTimeout(timer));
  }

  stats(): AlertStats {
    return { ...this.#counters, channels: [...this.#channelStats.values()].map((s) => ({ ...s })) };
  }

  /** Health reasons: failing channels and lost alerts. */
  problems(): { failing: boolean; reasons: string[] } {
    const reasons: string[] = [];
    let failing = false;
    for (const s of this.#channelStats.values()) {
      if (s.consecutiveFailures >= this.#policy.attempts) {
        failing = true;
        reasons.push(`alert channel "${s.name}" is failing: ${s.lastError ?? 'unknown error'}`);
      } else if (s.consecutiveFailures > 0)
        reasons.push(`alert channel "${s.name}" is retrying: ${s.lastError}`);
    }
    if (this.#counters.stateErrors > 0)
      reasons.push(`${this.#counters.stateErrors} alerts lost to state store errors`);
    for (const s of this.#channelStats.values())
      if (s.abandoned > 0)
        reasons.push(`alert channel "${s.name}": ${s.abandoned} notifications abandoned at close`);
    return { failing, reasons };
  }
}
