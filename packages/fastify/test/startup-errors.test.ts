import { auditPlugin } from '@auditkit/fastify';
import Fastify from 'fastify';

describe('fastify: configuration errors surface when the plugin is registered', () => {
  const saved = process.env.AUDITKIT_SIGNING_KEY;
  afterEach(() => {
    if (saved === undefined) delete process.env.AUDITKIT_SIGNING_KEY;
    else process.env.AUDITKIT_SIGNING_KEY = saved;
  });

  it('refuses unknown and mistyped options, naming them, before the server starts', async () => {
    const typo = Fastify();
    typo.register(auditPlugin, { exlcude: '/health' } as never);
    await expect(typo.listen({ port: 0, host: '127.0.0.1' })).rejects.toThrow(
      'auditkit: auditPlugin option exlcude is unknown (got the string "/health"); did you mean exclude?',
    );
    const mistyped = Fastify();
    mistyped.register(auditPlugin, { captureBody: 'yes' } as never);
    await expect(mistyped.ready()).rejects.toThrow(
      'auditkit: auditPlugin option captureBody must be a boolean, got the string "yes"',
    );
    await Promise.all([typo.close(), mistyped.close()]);
  });

  it('a broken AUDITKIT_SIGNING_KEY fails the zero-config plugin at startup, not in a request', async () => {
    process.env.AUDITKIT_SIGNING_KEY = 'garbage';
    const app = Fastify();
    app.register(auditPlugin);
    app.get('/', async () => 'ok');
    await expect(app.listen({ port: 0, host: '127.0.0.1' })).rejects.toThrow(
      /the AUDITKIT_SIGNING_KEY environment variable must be PEM text or the path of a PEM file/,
    );
    await app.close();
  });

  it("accepts Fastify's own register options next to the plugin's", async () => {
    const app = Fastify();
    await app.register(auditPlugin, {
      prefix: '/api',
      logLevel: 'warn',
      logger: undefined,
      excludeMethods: 'GET',
    });
    await app.ready();
    await app.close();
  });
});
