import {
  type AuditInput,
  type AuditLogger,
  auditHttpRequest,
  type HttpTranslation,
  holdHttpResponse,
  type OptionShape,
  option,
  pathWithoutQuery,
  type RequestAudit,
  type RequestAuditOptions,
  RequestAuditor,
} from '@auditkit/core/adapter';
import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/** Options of `auditPlugin`: the options every auditkit adapter shares. */
export type FastifyAuditOptions = RequestAuditOptions<FastifyRequest>;

/**
 * Route-level `config.audit`: `false` records nothing for the route; an event (`type`, `action`,
 * `resource`, ...) is recorded beside the route's `http.request` event, as Nest's `@AuditAction`.
 */
export type RouteAuditConfig = false | AuditInput;

declare module 'fastify' {
  interface FastifyRequest {
    /** This request's audit context: `request.audit.log({...})`. Null where auditing failed to start. */
    audit: RequestAudit<FastifyRequest> | null;
  }
  interface FastifyInstance {
    /** The logger the plugin records into. */
    audit: AuditLogger;
  }
  interface FastifyContextConfig {
    audit?: RouteAuditConfig;
  }
}

/** What the capture needs of a request's route, read once per request: `request.routeOptions` builds a new object on every read. */
interface Routed {
  reply: FastifyReply;
  /** The route pattern; undefined where no route matched (404). */
  url: string | undefined;
  audit: RouteAuditConfig | undefined;
}

function routed(request: FastifyRequest, reply: FastifyReply): Routed {
  // `routeOptions` (Fastify ≥ 4.10): its `config` is the route's own, with the route's `url`.
  const options = request.routeOptions as { config?: { url?: string; audit?: RouteAuditConfig } } | undefined;
  const config = options?.config;
  return { reply, url: config?.url, audit: config?.audit };
}

/** How a Fastify request reads to the core's HTTP capture; the route and `reply` come along as the extra. */
const FASTIFY: HttpTranslation<FastifyRequest, Routed> = {
  route: (_request, { url }) => url,
  // `request.url`, as routed (after `rewriteUrl`).
  path: (request) => pathWithoutQuery(request.url),
  // Fastify keeps the reply's headers apart from the node response until it writes them.
  contentLength: (_request, { reply }) => reply.getHeader('content-length'),
  declared: (_request, { audit }) => audit,
  status: (_request, { reply }) => reply.statusCode,
  // Into the reply's own headers: Fastify writes them with the response, checked there once.
  echo: (_request, { reply }, name, value) => {
    reply.header(name, value);
  },
  // Fastify 4 writes the payload before it ends the response: the hold is in onSend.
  holdsInHook: true,
  attach(request, audit) {
    request.audit = audit;
  },
};

/** Options of `register` itself, which Fastify hands to the plugin with ours. */
const REGISTER_OPTIONS: OptionShape = {
  prefix: option.string(),
  logLevel: option.string(),
  logSerializers: option.custom('an object of serializers', (v) => v !== null && typeof v === 'object'),
};

const plugin: FastifyPluginCallback<FastifyAuditOptions> = (app: FastifyInstance, options, done) => {
  let auditor: RequestAuditor<FastifyRequest>;
  try {
    auditor = new RequestAuditor<FastifyRequest>(options, {
      eventType: 'http.request',
      name: 'auditPlugin',
      options: REGISTER_OPTIONS,
    });
  } catch (error) {
    // A bad configuration fails `ready()` / `listen()` at startup, never a request.
    done(error as Error);
    return;
  }
  app.decorate('audit', {
    getter: () => auditor.logger,
  });
  app.decorateRequest('audit', null);

  app.addHook('onRequest', (request, reply, next) => {
    auditHttpRequest(auditor, request, reply.raw, FASTIFY, next, routed(request, reply));
  });
  app.addHook('onError', (request, _reply, error, next) => {
    if (request.audit) request.audit.error = error;
    next();
  });
  if (auditor.settings.holdMs !== undefined) {
    // holdResponse: the event is recorded as the reply is about to be sent, which waits for it to be stored.
    app.addHook('onSend', async (request, _reply, payload) => {
      await holdHttpResponse(request.audit);
      return payload;
    });
  }
  // The logger may be shared with other parts of the app: flush it, the owner closes it.
  app.addHook('onClose', (_instance, next) => {
    auditor.logger.flush().then(
      () => next(),
      () => next(),
    );
  });
  done();
};

/** The Fastify plugin: one `http.request` event per request, `request.audit`, context for `audit.log()`. */
export const auditPlugin = fp(plugin, { fastify: '4.x || 5.x', name: '@auditkit/fastify' });
