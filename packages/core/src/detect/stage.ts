import type { ResolvedAlerts } from '../alerts/resolve';
import { AlertRouter } from '../alerts/router';
import type { AlertControl, AlertStats } from '../alerts/types';
import type { AuditEvent } from '../types';
import { DetectionEngine, type StageHost } from './engine';
import { memoryDetectionStore } from './memory-store';
import type { ResolvedDetect } from './resolve';
import type { DetectionStats } from './types';

export type { StageHost } from './engine';

/**
 * The detect stage of the pipeline: rules observe every admitted, protected event, anomalies come
 * back through the pipeline as `security.anomaly` events, and the alert router turns them (and any
 * event a route matches) into alerts. The pipeline sees only `observe`, `settle` and `close`.
 */
export class DetectStage {
  readonly #engine: DetectionEngine | undefined;
  readonly #router: AlertRouter | undefined;

  constructor(
    detect: ResolvedDetect | undefined,
    alerts: ResolvedAlerts | undefined,
    host: StageHost,
    service: string,
  ) {
    this.#engine = detect ? new DetectionEngine(detect, host) : undefined;
    if (alerts) {
      const store = alerts.state ?? detect?.store ?? memoryDetectionStore();
      const now = alerts.now ?? detect?.now ?? Date.now;
      this.#router = new AlertRouter(alerts, store, now, host, service);
    }
  }

  /** The alerts of this logger, when alerting is configured. */
  get alerts(): AlertControl | undefined {
    return this.#router;
  }

  /** On the caller's stack, for every admitted event: cheap, synchronous, never throws. */
  observe(event: AuditEvent): void {
    this.#engine?.observe(event);
    this.#router?.observe(event);
  }

  /** Resolves when every observation is decided, every anomaly logged and every alert handed to its channels. */
  async settle(): Promise<void> {
    for (;;) {
      await this.#engine?.settle();
      await this.#router?.settle();
      if ((this.#engine?.idle ?? true) && (this.#router?.idle ?? true)) return;
    }
  }

  async close(): Promise<void> {
    await this.settle();
    await this.#router?.close();
  }

  stats(): { detection?: DetectionStats; alerts?: AlertStats } {
    const out: { detection?: DetectionStats; alerts?: AlertStats } = {};
    if (this.#engine) out.detection = this.#engine.stats();
    if (this.#router) out.alerts = this.#router.stats();
    return out;
  }

  /** Reasons for `health()`; detection and alerting problems degrade, they never make auditing fail. */
  reasons(): string[] {
    const reasons: string[] = [];
    const d = this.#engine?.stats();
    if (d && d.stateErrors > 0)
      reasons.push(`${d.stateErrors} detection observations lost to state store errors`);
    if (d && d.overflow > 0)
      reasons.push(`${d.overflow} detection observations dropped: the state store is behind`);
    if (d && d.ruleErrors > 0) reasons.push(`${d.ruleErrors} detection rule errors`);
    if (this.#router) reasons.push(...this.#router.problems().reasons);
    return reasons;
  }
}
