/**
 * The dashboard under `/ui`: the few files `npm run build` bundled into dist/ui, read once and
 * served from memory with ETags. Public (the page holds no data; every API call needs a key).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';

/** Where the build puts the bundle; the same from src/routes (tests) and dist/routes. */
export const UI_DIR = join(__dirname, '..', '..', 'dist', 'ui');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

function readAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return assets;
  }
  for (const name of names) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    const body = readFileSync(join(dir, name));
    assets.set(name, {
      body,
      type,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    });
  }
  return assets;
}

export function uiRoutes(dir = UI_DIR): FastifyPluginAsync {
  return async (app) => {
    const assets = readAssets(dir);
    const options = { config: { access: 'public' as const }, schema: { hide: true } };
    app.get('/ui', options, async (request, reply) => reply.redirect(`${request.url.split('?')[0]}/`));
    app.get<{ Params: { file?: string } }>('/ui/:file', options, async (request, reply) => {
      const asset = assets.get(request.params.file || 'index.html');
      if (!asset) {
        const message =
          assets.size === 0
            ? 'the dashboard is not built: run npm run build'
            : `no file ${request.params.file} in the dashboard`;
        const status = assets.size === 0 ? 503 : 404;
        return reply
          .code(status)
          .send({ statusCode: status, error: status === 503 ? 'Service Unavailable' : 'Not Found', message });
      }
      reply.header('etag', asset.etag).header('cache-control', 'no-cache').type(asset.type);
      if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
      return reply.send(asset.body);
    });
  };
}
