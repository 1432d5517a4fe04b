/**
 * The console inside an Express (or any node:http) app: the same Fastify plugin on a Fastify
 * instance that never listens, fed the requests Express hands over. WebSocket upgrades never pass
 * through Express, so the HTTP server's upgrades for the stream are routed to it separately.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';

export type NodeHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

export interface EmbeddedConsole {
  handler: NodeHandler;
  attachUpgrades(server: Server, prefix: string): void;
  close(): Promise<void>;
}

export async function embedConsole(plugin: FastifyPluginAsync, bodyLimit: number): Promise<EmbeddedConsole> {
  let route: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  // The instance's own server never listens: it only carries the upgrades handed to it.
  const inner = createServer();
  const instance: FastifyInstance = Fastify({
    logger: false,
    bodyLimit,
    serverFactory: (handler) => {
      route = handler;
      return inner;
    },
  });
  await instance.register(plugin);
  await instance.ready();
  return {
    handler(req, res) {
      // A body parser that ran first has consumed the stream the console would read.
      if (req.readableEnded || (req as IncomingMessage & { _body?: boolean })._body === true) {
        res.statusCode = 500;
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            statusCode: 500,
            error: 'Internal Server Error',
            message: 'the audit console must be mounted before body parsers (express.json())',
          }),
        );
        return;
      }
      route!(req, res);
    },
    attachUpgrades(server, prefix) {
      const base = prefix.replace(/\/+$/, '');
      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        const url = req.url ?? '';
        if (!url.startsWith(`${base}/api/stream`)) return;
        req.url = url.slice(base.length);
        inner.emit('upgrade', req, socket, head);
      });
    },
    close: () => instance.close(),
  };
}
