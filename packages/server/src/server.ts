/** `createAuditServer`: the console standalone (`listen`) or as a plugin for an existing Fastify app. */
import type { AddressInfo } from 'node:net';
import { subscribeSealed } from '@auditkit/core';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { consolePlugin } from './app';
import { ConsoleAudit } from './console-events';
import type { ConsoleDeps } from './deps';
import { Exporter } from './export/exporter';
import { type EmbeddedConsole, embedConsole } from './express';
import { Ingestor } from './ingest';
import { IntegrityChecker } from './integrity';
import { WatchedKeys } from './key-watch';
import { resolveServerOptions } from './options';
import { LiveSessions } from './sessions';
import { FileFollower } from './stream/follow-files';
import { StreamHub } from './stream/hub';
import type { AuditServer, AuditServerOptions, StreamStats } from './types';

/** How often followed files are checked for new lines. */
const FOLLOW_POLL_MS = 200;

/**
 * Creates the console over `store`. Options are checked now, with errors naming the option; the
 * keys file is read now and then watched. Nothing listens until `listen()`.
 */
export async function createAuditServer(options: AuditServerOptions): Promise<AuditServer> {
  const o = resolveServerOptions(options);
  const audit = new ConsoleAudit(o.logger);
  const keys = await WatchedKeys.open(o.keysPath, o.keysPollMs, (error) =>
    process.emitWarning(`auditkit console: keys file ${o.keysPath} could not be reloaded: ${String(error)}`),
  );
  const sessions = new LiveSessions(keys);
  const hub = new StreamHub(o.stream, sessions, audit);
  const unsubscribe = subscribeSealed(o.logger, (events, lines) => hub.publish(events, lines));
  let follower: FileFollower | undefined;
  if (o.follow.length > 0) {
    // The server's own file (a directory store's) is heard through the logger already.
    const own = (o.store as { path?: unknown }).path;
    follower = new FileFollower(o.follow, typeof own === 'string' ? [own] : [], (events) =>
      hub.publish(events),
    );
    await follower.start(FOLLOW_POLL_MS);
  }
  const deps: ConsoleDeps = {
    options: o,
    keys,
    audit,
    ingestor: new Ingestor(o.logger, o.store),
    integrity: new IntegrityChecker(o.store, o.publicKeys),
    sessions,
    exporter: new Exporter(o.signingKey, audit, sessions),
    hub,
  };
  const plugin = consolePlugin(deps);
  let standalone: FastifyInstance | undefined;
  let embedded: Promise<EmbeddedConsole> | undefined;
  let closing: Promise<void> | undefined;

  return {
    plugin: plugin as FastifyPluginAsync,
    async listen({ port = 7070, host = '127.0.0.1' } = {}) {
      if (standalone) throw new Error('createAuditServer: listen() was called already');
      standalone = Fastify({ logger: false, bodyLimit: o.bodyLimit, forceCloseConnections: true });
      await standalone.register(plugin);
      await standalone.listen({ port, host });
      const address = standalone.server.address() as AddressInfo;
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${shown}:${address.port}`;
    },
    async expressHandler() {
      embedded ??= embedConsole(plugin, o.bodyLimit);
      return (await embedded).handler;
    },
    async attachUpgrades(server, prefix = '') {
      embedded ??= embedConsole(plugin, o.bodyLimit);
      (await embedded).attachUpgrades(server, prefix);
    },
    streamStats(): StreamStats {
      return hub.stats;
    },
    close() {
      closing ??= (async () => {
        unsubscribe();
        await follower?.stop();
        await hub.closeAll();
        sessions.endAll('shutdown');
        keys.close();
        await standalone?.close();
        await (await embedded)?.close();
      })();
      return closing;
    },
  };
}
