/**
 * Syslog sink: RFC 5424 messages over UDP (RFC 5426), TCP (RFC 6587 octet counting) or TLS
 * (RFC 5425). One connection per sink, opened on first write and re-opened after an error.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { hostname } from 'node:os';
import * as tls from 'node:tls';
import type { AuditSink, Batch } from '@auditkit/core/store';
import { compileFormat, type EventFormat } from './formats';
import { SiemDeliveryError } from './http';
import { formatRfc5424, LOG_AUDIT, type Rfc5424Options } from './rfc5424';

export type SyslogTransport = 'udp' | 'tcp' | 'tls';

export interface SyslogSinkOptions {
  /** Collector host. Required. */
  host: string;
  /** Collector port. Default 514 (udp, tcp) or 6514 (tls). */
  port?: number;
  /** Default `tcp`: UDP can lose messages silently and caps their size; prefer TCP or TLS for audit. */
  transport?: SyslogTransport;
  /** TLS options (ca, cert, key, servername, rejectUnauthorized) for `tls`. Default: system CAs, verified. */
  tls?: tls.ConnectionOptions;
  /** TCP/TLS framing: RFC 6587 octet counting, or a trailing LF. Default `octet-counting`. */
  framing?: 'octet-counting' | 'lf';
  /** Facility code 0..23. Default 13 (log audit). */
  facility?: number;
  /** APP-NAME. Default the event's `source.service`. */
  appName?: string;
  /** Private enterprise number of the SD-ID `auditkit@<pen>`. Default 32473 (RFC 5612's example number): set your own. */
  enterpriseId?: number;
  /** Shape of the MSG part (JSON). Default `native`. */
  format?: EventFormat;
  /** UDP only: longest datagram; longer messages have their MSG cut and are flagged `truncated="true"`. Default 8192. */
  maxMessageBytes?: number;
  /** Prefix MSG with a UTF-8 BOM as RFC 5424 asks. Default true. */
  bom?: boolean;
  /** Longest wait to connect or to hand a batch to the socket (ms). Default 10000. */
  timeoutMs?: number;
  /** Sink name in stats and health. Default `syslog`. */
  name?: string;
}

interface Connection {
  send(frames: Buffer): Promise<void>;
  close(): Promise<void>;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new SiemDeliveryError(`${what} timed out after ${ms} ms`, { retryable: true })),
      ms,
    );
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

function udpConnection(host: string, port: number): Connection {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  socket.unref();
  socket.on('error', () => {}); // errors reach the send callbacks
  return {
    send: (datagram) =>
      new Promise<void>((resolve, reject) =>
        socket.send(datagram, port, host, (error) => (error ? reject(error) : resolve())),
      ),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** A stream connection; `broken` once it errored or closed, so the next write opens a new one. */
function streamConnection(socket: net.Socket): Connection & { broken: boolean } {
  const conn = {
    broken: false,
    send: (frames: Buffer) =>
      new Promise<void>((resolve, reject) => {
        if (conn.broken) return reject(new Error('connection closed'));
        socket.write(frames, (error) => (error ? reject(error) : resolve()));
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.destroyed) return resolve();
        socket.once('close', () => resolve());
        socket.end();
        setTimeout(() => socket.destroy(), 2000).unref();
      }),
  };
  const broken = (): void => {
    conn.broken = true;
  };
  socket.on('error', broken);
  socket.on('close', broken);
  return conn;
}

function connectStream(
  transport: 'tcp' | 'tls',
  host: string,
  port: number,
  tlsOptions: tls.ConnectionOptions | undefined,
): Promise<net.Socket> {
  return new Promise<net.Socket>((resolve, reject) => {
    const socket =
      transport === 'tls'
        ? tls.connect({ servername: net.isIP(host) ? undefined : host, ...tlsOptions, host, port })
        : net.connect({ host, port });
    const ready = transport === 'tls' ? 'secureConnect' : 'connect';
    const fail = (error: Error): void => {
      socket.destroy();
      reject(error);
    };
    socket.once('error', fail);
    socket.once(ready, () => {
      socket.off('error', fail);
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 30_000);
      resolve(socket);
    });
  });
}

export function syslogSink(options: SyslogSinkOptions): AuditSink {
  if (!options || typeof options.host !== 'string' || options.host.length === 0)
    throw new TypeError('auditkit: syslogSink: host is required');
  const transport = options.transport ?? 'tcp';
  if (!['udp', 'tcp', 'tls'].includes(transport))
    throw new RangeError(
      `auditkit: syslogSink: transport must be udp, tcp or tls, got "${String(transport)}"`,
    );
  const port = options.port ?? (transport === 'tls' ? 6514 : 514);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new RangeError(`auditkit: syslogSink: bad port ${port}`);
  const facility = options.facility ?? LOG_AUDIT;
  if (!Number.isInteger(facility) || facility < 0 || facility > 23)
    throw new RangeError('auditkit: syslogSink: facility must be an integer 0..23');
  const name = options.name ?? 'syslog';
  const format = compileFormat(options.format);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxUdp = options.maxMessageBytes ?? 8192;
  const lf = options.framing === 'lf';
  const rfc: Rfc5424Options = {
    facility,
    appName: options.appName,
    enterpriseId: options.enterpriseId ?? 32473,
    procId: String(process.pid),
    hostname: hostname(),
    bom: options.bom ?? true,
  };
  let connection: (Connection & { broken?: boolean }) | undefined;

  async function connect(): Promise<Connection> {
    if (connection && !connection.broken) return connection;
    if (transport === 'udp') connection = udpConnection(options.host, port);
    else {
      const socket = await withTimeout(
        connectStream(transport, options.host, port, options.tls),
        timeoutMs,
        `${name}: connecting to ${options.host}:${port}`,
      );
      connection = streamConnection(socket);
    }
    return connection;
  }

  return {
    name,
    async write(batch: Batch): Promise<void> {
      const messages = batch.events.map((e) =>
        formatRfc5424(e, format(e), rfc, transport === 'udp' ? maxUdp : undefined),
      );
      try {
        const conn = await connect();
        if (transport === 'udp') {
          await withTimeout(
            Promise.all(messages.map((m) => conn.send(Buffer.from(m)))),
            timeoutMs,
            `${name}: sending`,
          );
          return;
        }
        const frames = messages.map((m) => {
          const bytes = Buffer.from(m);
          return lf
            ? Buffer.concat([bytes, Buffer.from('\n')])
            : Buffer.concat([Buffer.from(`${bytes.length} `), bytes]);
        });
        await withTimeout(conn.send(Buffer.concat(frames)), timeoutMs, `${name}: sending`);
      } catch (error) {
        // Start over on a fresh connection next time; the core retries the batch.
        const broken = connection;
        connection = undefined;
        void broken?.close().catch(() => {});
        if (error instanceof SiemDeliveryError) throw error;
        throw new SiemDeliveryError(
          `${name}: ${transport} ${options.host}:${port}: ${error instanceof Error ? error.message : String(error)}`,
          { retryable: true, cause: error },
        );
      }
    },
    async close(): Promise<void> {
      const conn = connection;
      connection = undefined;
      await conn?.close();
    },
  };
}
