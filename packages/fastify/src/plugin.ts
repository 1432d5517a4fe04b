import {
  type AuditInput,
  type AuditLogger,
  byteCount,
  type OptionShape,
  option,
  pathWithoutQuery,
  type RequestAudit,
  type RequestAuditOptions,
  RequestAuditor,
  reportCallbackError,
  runWithContext,
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

/** `request.routeOptions` (Fastify ≥ 4.10) carries the route pattern and its config. */
function routeOf(request: FastifyRequest): { url?: string; config?: { audit?: RouteAuditConfig } } {
  return (
    (request as unknown as { routeOptions?: { url?: string; config?: { audit?: RouteAuditConfig } } })
      .routeOptions ?? {}
  );
}

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
  const { echoRequestId, requestIdHeader, captureBody, captureQuery, holdMs } = auditor.settings;

  /** Records the request's event once; false when it is not audited or already recorded. */
  const end = (request: FastifyRequest, reply: FastifyReply | undefined, aborted: boolean): boolean => {
    const audit = request.audit;
    if (!audit || audit.ended) return false;
    const route = routeOf(request);
    const config = route.config?.audit;
    if (config === false) return false;
    const status = reply && !aborted ? reply.statusCode : undefined;
    // A declared business event is kept on excluded paths, as any business event is.
    if (config) audit.logDeclared(config, { status, aborted });
    if (auditor.isExcluded(request.method, audit.request.path ?? '')) return false;
    auditor.end(
      audit,
      {
        status,
        route: route.url,
        aborted,
        bytesIn: byteCount(request.headers['content-length']),
        bytesOut: reply ? byteCount(reply.getHeader('content-length')) : undefined,
        body: captureBody ? request.body : undefined,
        query: captureQuery ? request.query : undefined,
      },
      request.headers,
    );
    return true;
  };

  app.decorate('audit', {
    getter: () => auditor.logger,
  });
  app.decorateRequest('audit', null);

  app.addHook('onRequest', (request, reply, next) => {
    try {
      const audit = auditor.begin(request, {
        protocol: 'http',
        method: request.method,
        path: pathWithoutQuery(request.url),
        headers: request.headers,
        ip: request.ip,
      });
      request.audit = audit;
      if (echoRequestId) reply.header(requestIdHeader, audit.requestId);
      // Everything after this hook (other hooks, the handler) runs inside the request's context.
      runWithContext(audit, next);
    } catch (error) {
      reportCallbackError(auditor.logger, 'auditPlugin', error);
      next();
    }
  });
  app.addHook('onError', (request, _reply, error, next) => {
    if (request.audit) request.audit.error = error;
    next();
  });
  if (holdMs !== undefined) {
    // holdResponse: the event is recorded as the reply is about to be sent, which waits for it to be stored.
    app.addHook('onSend', async (request, reply, payload) => {
      if (end(request, reply, false)) await auditor.holdUntilStored();
      return payload;
    });
  }
  app.addHook('onResponse', (request, reply, next) => {
    end(request, reply, false);
    next();
  });
  app.addHook('onTimeout', (request, reply, next) => {
    end(request, reply, true);
    next();
  });
  app.addHook('onRequestAbort', (request, next) => {
    end(request, undefined, true);
    next();
  });
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
