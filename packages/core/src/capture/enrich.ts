import { childPath, type PathNode } from '../protect/redaction';
import type { Scrubber } from '../protect/scrub';
import { OWN_IDS } from '../symbols';
import type { Actor, AuditContext, AuditEvent, AuditInput, LimitOptions, Source } from '../types';
import { eventIdAt, type OwnIds } from './ids';
import { type Scalars, takeIsoNowMs } from './normalize';

/** What enrichment reads from the resolved options. */
export interface EnrichSettings {
  scrubber: Scrubber;
  limits: Required<LimitOptions>;
  source: Source;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  try {
    return !Array.isArray(value);
  } catch {
    // A revoked Proxy: the scrubber records it as unreadable.
    return true;
  }
}

/** Keeps scrubbed objects; wraps anything else (`error: 'boom'`, `details: [1]`) under `key`. */
function asRecord(value: unknown, key: string): Record<string, unknown> {
  return isRecord(value) ? value : { [key]: typeof value === 'string' ? value : JSON.stringify(value) };
}

/** The actor of an event nobody is named in, in sorted key order like `contextRequest`. */
function anonymousActor(ip: string | undefined, userAgent: string | undefined): Actor {
  const actor = {} as Actor;
  if (ip) actor.ip = ip;
  actor.type = 'anonymous';
  if (userAgent) actor.userAgent = userAgent;
  return actor;
}

/** Fixed JSON overhead of an event's own fields, added to the scrubbed parts' estimate. */
export const EVENT_BASE_BYTES = 320;

/** What an ingested event keeps from where it was recorded, instead of taking it from this logger. */
export interface Given {
  id: string;
  source: Source;
  traceId: string | undefined;
  spanId: string | undefined;
}

/**
 * Builds an event from the caller's input and the request context (the enrich stage): every
 * caller-supplied part goes through the scrubber exactly once. `bytes` is the estimate of the last
 * event built, which the queue counts against its byte limit.
 */
export class Enricher {
  readonly #o: EnrichSettings;
  bytes = 0;

  constructor(settings: EnrichSettings) {
    this.#o = settings;
  }

  build(
    input: AuditInput,
    scalars: Scalars,
    time: string,
    ctx: AuditContext | undefined,
    given: Given | undefined,
  ): AuditEvent {
    const o = this.#o;
    const event = {
      v: 1,
      // Stamped `now`: the id comes from the clock reading the time was made from.
      id: given ? given.id : eventIdAt(takeIsoNowMs(time) ?? Date.now()),
      time,
      type: scalars.type,
      category: scalars.category,
      action: scalars.action,
      outcome: scalars.outcome,
      severity: scalars.severity,
    } as AuditEvent;
    const s = o.scrubber;
    const paths = s.paths;
    let bytes = EVENT_BASE_BYTES;
    const budget = o.limits.maxDetailsBytes;
    if (typeof input.message === 'string') event.message = s.text(input.message);
    bytes += this.#actor(event, input.actor, ctx);
    const tenant = input.tenant ?? ctx?.tenant;
    if (typeof tenant === 'string' && tenant.length > 0) event.tenant = s.text(tenant);
    if (input.resource !== undefined) {
      const resource = asRecord(s.scrub(input.resource, childPath(paths, 'resource'), budget), 'type');
      if (typeof resource.type !== 'string') resource.type = 'unknown';
      event.resource = resource as unknown as AuditEvent['resource'];
      bytes += s.bytes;
    }
    // Ids core made or parsed for this request, while the context still holds them: not scanned.
    const own = given ? undefined : (ctx as { [OWN_IDS]?: OwnIds } | undefined)?.[OWN_IDS];
    const ownRequest = isRecord(input.request);
    const request = ownRequest ? input.request : ctx?.request;
    if (request) {
      const requestPaths = childPath(paths, 'request');
      const scrubbed: Record<string, unknown> = {};
      // Scrubbed straight from where it is, into the event: the request is not copied on the way.
      s.begin(budget);
      // The request of a request's own event, built by capture: its id is the one core generated.
      if (ownRequest)
        s.properties(
          scrubbed,
          request,
          requestPaths,
          'body',
          request === own?.request ? own.requestId : undefined,
        );
      else this.#contextRequest(scrubbed, request, ctx!.requestId, own?.requestId, requestPaths);
      bytes += s.bytes;
      const body = (request as { body?: unknown }).body;
      if (body !== undefined) {
        // A captured body has its own, usually smaller, budget and never crowds out the rest.
        scrubbed.body = s.scrub(body, childPath(requestPaths, 'body'), o.limits.maxBodyBytes);
        bytes += s.bytes;
      }
      event.request = scrubbed as AuditEvent['request'];
    }
    if (isRecord(input.changes)) {
      event.changes = s.scrub(
        input.changes,
        childPath(paths, 'changes'),
        budget * 2,
      ) as AuditEvent['changes'];
      bytes += s.bytes;
    }
    event.source = given ? (s.scrub(given.source, childPath(paths, 'source'), budget) as Source) : o.source;
    const correlationId = input.correlationId ?? ctx?.correlationId;
    if (typeof correlationId === 'string') event.correlationId = this.#id(correlationId, own?.requestId);
    const traceId = given ? given.traceId : ctx?.traceId;
    if (typeof traceId === 'string') {
      event.traceId = this.#id(traceId, own?.traceId);
      const spanId = given ? given.spanId : ctx?.spanId;
      if (typeof spanId === 'string') event.spanId = this.#id(spanId, own?.spanId);
    }
    if (input.error !== undefined) {
      event.error = asRecord(
        s.scrub(input.error, childPath(paths, 'error'), budget),
        'message',
      ) as AuditEvent['error'];
      bytes += s.bytes;
    }
    if (input.details !== undefined) {
      event.details = asRecord(s.scrub(input.details, childPath(paths, 'details'), budget), 'value');
      bytes += s.bytes;
    }
    if (Array.isArray(input.compliance))
      event.compliance = input.compliance.filter((c) => typeof c === 'string');
    this.bytes = bytes;
    return event;
  }

  /** An id as text: unscanned when it is the one core made or parsed itself, else scrubbed. */
  #id(value: string, own: string | undefined): string {
    const s = this.#o.scrubber;
    return value === own ? s.ownText(value) : s.text(value);
  }

  /**
   * The context's request with the request id, scrubbed into `out`. `id` goes first when the
   * request has none of its own: adapters build the rest in sorted key order, so sealing
   * serializes it without a sorted copy.
   */
  #contextRequest(
    out: Record<string, unknown>,
    request: object,
    id: string | undefined,
    ownId: string | undefined,
    paths: PathNode | undefined,
  ): void {
    const s = this.#o.scrubber;
    if ('id' in request) {
      // Rare (adapters' requests have no id): the id replaces the request's own, in its place.
      s.properties(out, { ...request, id }, paths, 'body');
      return;
    }
    if (id !== undefined && id === ownId) s.ownProperty(out, 'id', id, paths);
    else s.property(out, 'id', id, paths);
    s.properties(out, request, paths, 'body');
  }

  /**
   * Sets `event.actor`: the caller's actor merged over the context's, each scrubbed on its own so
   * an unreadable one (a Proxy whose traps throw) costs only itself. Returns its byte estimate.
   */
  #actor(event: AuditEvent, input: Partial<Actor> | undefined, ctx: AuditContext | undefined): number {
    const s = this.#o.scrubber;
    // Read once: on a request's context this runs the adapter's actor() callback.
    const fromContext = ctx?.actor;
    const given = input !== null && typeof input === 'object' ? input : undefined;
    if (!fromContext && !given) {
      event.actor = anonymousActor(ctx?.ip, ctx?.userAgent ? s.text(ctx.userAgent) : undefined);
      return 0;
    }
    const paths = childPath(s.paths, 'actor');
    const budget = this.#o.limits.maxDetailsBytes;
    let bytes = 0;
    let actor: Record<string, unknown> = {};
    // What scrubbing could not read comes back as `[Unreadable: reason]` instead of an object.
    let unreadable: unknown;
    if (fromContext) {
      const scrubbed = s.scrub(fromContext, paths, budget);
      bytes += s.bytes;
      if (isRecord(scrubbed)) actor = scrubbed;
      else unreadable = scrubbed;
    }
    if (given) {
      const scrubbed = s.scrub(given, paths, budget);
      bytes += s.bytes;
      if (isRecord(scrubbed)) actor = fromContext ? { ...actor, ...scrubbed } : scrubbed;
      else unreadable ??= scrubbed;
    }
    // Recorded as the actor's id where nothing readable names one.
    if (typeof unreadable === 'string' && actor.id === undefined) actor.id = unreadable;
    if (typeof actor.type !== 'string') actor.type = actor.id ? 'user' : 'anonymous';
    if (ctx?.ip && actor.ip === undefined) actor.ip = ctx.ip;
    if (ctx?.userAgent && actor.userAgent === undefined) actor.userAgent = s.text(ctx.userAgent);
    event.actor = actor as unknown as Actor;
    return bytes;
  }
}
