/**
 * The console as one encapsulated Fastify plugin: security headers, rate limits, CORS only when
 * configured, the authentication hook, and the routes under `/api`. Mounted at the root by the
 * standalone server, or under any prefix in an existing Fastify app.
 */
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { authHook, STREAM_PROTOCOL } from './auth';
import type { ConsoleDeps } from './deps';
import { errorHandler } from './errors';
import { alertsRoute } from './routes/alerts';
import { eventsRoutes } from './routes/events';
import { exportRoutes } from './routes/export';
import { healthRoute } from './routes/health';
import { ingestRoute } from './routes/ingest';
import { integrityRoute } from './routes/integrity';
import { proofRoute } from './routes/proof';
import { reportsRoute } from './routes/reports';
import { retentionRoute } from './routes/retention';
import { statsRoute } from './routes/stats';
import { streamRoute } from './routes/stream';
import type { ConsoleApp } from './routes/types';
import { uiRoutes } from './routes/ui';
import { SHARED_SCHEMAS } from './schemas';

interface OpenApiDoc {
  paths?: Record<string, unknown>;
}

/** The live stream in the OpenAPI document (Swagger hides WebSocket routes). */
const STREAM_DOC = {
  get: {
    tags: ['stream'],
    summary: 'WebSocket: live events matching a filter',
    description:
      'Upgrade to a WebSocket with subprotocol `auditkit.v1`. Key: `Authorization: Bearer <key>`, a second subprotocol `<key>`, or a first message `{"type":"auth","key":"…","filter":"…"}`. Filter: `q` or `{"type":"subscribe","filter":"…"}`. Session: `session` (query or first message; 8–64 of A–Z a–z 0–9 - _), a random id the client keeps per tab across reconnects. Server messages: `subscribed` (with a session: `previous`, null or why the server ended the last stream of that session under the same key: `{"reason":"slow","code":4008,"time":"…","events":N,"unwritten":N}`, `events` sent on it in all and how many were still unwritten when it was cut; told once, remembered for `stream.rememberCloseMs`), `events` (`{"type":"events","events":[{…}]}`, oldest first; at most one every `stream.flushMs`, holding what was sealed meanwhile), `heartbeat`, `error`, `closing` (`reason`: slow, revoked, shutdown). Close codes: 4401 unauthorized or revoked, 4403 missing scope, 4400 bad filter, 4008 too slow, 1013/503 too many connections.',
    parameters: [{ name: 'q', in: 'query', required: false, schema: { type: 'string', maxLength: 4096 } }],
    responses: { 101: { description: 'Switching to the WebSocket protocol' } },
  },
} as const;

/** Largest message a stream client may send (a subscription with its filter). */
const STREAM_MAX_PAYLOAD = 64 * 1024;

const apiRoutes =
  (deps: ConsoleDeps): FastifyPluginAsync =>
  async (instance) => {
    const app = instance as unknown as ConsoleApp;
    healthRoute(app, deps);
    statsRoute(app, deps);
    eventsRoutes(app, deps);
    exportRoutes(app, deps);
    streamRoute(app, deps);
    ingestRoute(app, deps);
    integrityRoute(app, deps);
    proofRoute(app, deps);
    alertsRoute(app, deps);
    reportsRoute(app, deps);
    retentionRoute(app, deps);
    if (deps.options.openapi) {
      app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async (request) => {
        const doc = (instance as FastifyInstance & { swagger(): OpenApiDoc }).swagger();
        // Swagger leaves WebSocket routes out; the stream is part of the API, so it is described here.
        const path = request.url.split('?')[0]!.replace(/openapi\.json$/, 'stream');
        return { ...doc, paths: { ...doc.paths, [path]: STREAM_DOC } };
      });
    }
  };

export function consolePlugin(deps: ConsoleDeps): FastifyPluginAsync {
  const o = deps.options;
  return async (app) => {
    for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
    // Replies go out as JSON.stringify makes them: stored events stay byte-for-byte verifiable.
    app.setSerializerCompiler(() => (data) => JSON.stringify(data));
    app.setErrorHandler(errorHandler);
    // JSON only: a text body is a 415, not an event.
    app.removeContentTypeParser('text/plain');
    app.setNotFoundHandler((request, reply) => {
      reply.code(404).send({
        statusCode: 404,
        error: 'Not Found',
        message: `no route ${request.method} ${request.url.split('?')[0]}`,
      });
    });
    if (!app.hasDecorator('swagger') && o.openapi) {
      await app.register(swagger, {
        openapi: {
          info: { title: 'auditkit audit console', version: '1' },
          components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
          security: [{ apiKey: [] }],
        },
        refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
      });
    }
    if (!app.hasDecorator('websocketServer')) {
      await app.register(websocket, {
        options: {
          maxPayload: STREAM_MAX_PAYLOAD,
          // Compressing every frame for every subscriber costs more CPU than the fan-out itself.
          perMessageDeflate: false,
          // Answer with the console protocol only: a key offered as a subprotocol is never echoed.
          handleProtocols: (protocols) => (protocols.has(STREAM_PROTOCOL) ? STREAM_PROTOCOL : false),
        },
      });
    }
    await app.register(helmet, { global: true });
    if (o.rateLimit)
      await app.register(rateLimit, {
        max: o.rateLimit.max,
        timeWindow: o.rateLimit.timeWindowMs,
        keyGenerator: (request) => request.ip,
      });
    if (o.corsOrigins.length > 0)
      await app.register(cors, { origin: o.corsOrigins, allowedHeaders: ['authorization', 'content-type'] });
    app.decorateRequest('consoleAuth', null);
    app.addHook('onRequest', authHook({ store: o.store, keys: deps.keys, audit: deps.audit }));
    await app.register(apiRoutes(deps), { prefix: '/api' });
    await app.register(uiRoutes());
  };
}
