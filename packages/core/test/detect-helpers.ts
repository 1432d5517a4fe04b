import type { AuditEvent, AuditInput, AuditLogger, MemorySink } from '../src';

/** A detection clock the test moves by hand (the `now` option), starting on a Wednesday at noon UTC. */
export function manualClock(start = Date.parse('2026-03-04T12:00:00Z')) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

/** The `security.anomaly` events a sink received, optionally of one kind. */
export function anomalies(sink: MemorySink, kind?: string): AuditEvent[] {
  return sink.events.filter(
    (e) => e.type === 'security.anomaly' && (kind === undefined || e.details?.kind === kind),
  );
}

/** A failed login as the Express example records it: the attempted user name and the client IP. */
export function failedLogin(
  actorId: string | undefined,
  ip: string,
  extra: Partial<AuditInput> = {},
): AuditInput {
  return {
    type: 'auth.login',
    action: 'login',
    outcome: 'failure',
    actor: { type: 'user', id: actorId, ip },
    message: 'invalid credentials',
    ...extra,
  };
}

/** Logs every input and flushes, so the anomalies they cause are delivered. */
export async function logAll(logger: AuditLogger, inputs: AuditInput[]): Promise<string[]> {
  const ids = inputs.map((i) => logger.log(i)!);
  await logger.flush();
  await logger.alerts?.sent();
  return ids;
}
