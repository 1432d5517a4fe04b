import { syslogSink } from '@auditkit/siem';
import { pipelineInto } from './helpers';
import { type ParsedSyslog, type Rsyslog, startRsyslog } from './rsyslog';

jest.setTimeout(120_000); // the first run on a fresh machine installs rsyslog

let rsyslog: Rsyslog;
beforeAll(async () => {
  rsyslog = await startRsyslog();
});
afterAll(() => rsyslog?.stop());

const BOM = '\uFEFF';

async function receivedFrom(app: string, count: number): Promise<ParsedSyslog[]> {
  const until = Date.now() + 10_000;
  for (;;) {
    const mine = rsyslog.messages().filter((m) => m.appName === app);
    if (mine.length >= count || Date.now() > until) return mine;
    await new Promise((r) => setTimeout(r, 25));
  }
}

function sd(message: ParsedSyslog): Record<string, string> {
  const params: Record<string, string> = {};
  for (const m of message.structuredData.matchAll(/ (\w+)="((?:[^"\\]|\\.)*)"/g))
    params[m[1]!] = m[2]!.replace(/\\(.)/g, '$1');
  return params;
}

describe('syslogSink against rsyslog', () => {
  it('delivers RFC 5424 messages over TCP with octet counting, parsed field by field by rsyslog', async () => {
    const { logger, errors } = pipelineInto(
      syslogSink({ host: '127.0.0.1', port: rsyslog.tcpPort, appName: 'orders-tcp' }),
    );
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      ids.push(
        logger.log({
          type: 'order.created',
          severity: i === 0 ? 'warning' : 'info',
          actor: { type: 'user', id: `u-${i}` },
          tenant: 'acme',
          resource: { type: 'order', id: `ord-${i}` },
          details: { note: 'multi\nline and ünïcode' },
        })!,
      );
    }
    await logger.close();
    expect(errors).toEqual([]);
    const got = await receivedFrom('orders-tcp', 40);
    expect(got).toHaveLength(40);
    expect(got.map((m) => sd(m).id)).toEqual(ids);
    const first = got[0]!;
    expect(first).toMatchObject({
      input: 'tcp',
      pri: 13 * 8 + 4,
      procId: String(process.pid),
      msgId: 'order.created',
    });
    expect(got[1]!.pri).toBe(13 * 8 + 6);
    expect(sd(first)).toMatchObject({
      type: 'order.created',
      outcome: 'success',
      actorId: 'u-0',
      tenant: 'acme',
      resourceType: 'order',
      resourceId: 'ord-0',
    });
    expect(first.structuredData.startsWith('[auditkit@32473 ')).toBe(true);
    const event = JSON.parse(first.msg.replace(BOM, '')) as { id: string; details: { note: string } };
    expect(event.id).toBe(ids[0]);
    expect(event.details.note).toBe('multi\nline and ünïcode');
    expect(new Date(first.timestamp).toISOString()).toBe(JSON.parse(first.msg.replace(BOM, '')).time);
  });

  it('delivers over TLS, verifying the collector certificate against the given CA', async () => {
    const { logger, errors } = pipelineInto(
      syslogSink({
        host: '127.0.0.1',
        port: rsyslog.tlsPort,
        transport: 'tls',
        tls: { ca: rsyslog.ca },
        appName: 'orders-tls',
      }),
    );
    for (let i = 0; i < 10; i++)
      logger.log({ type: 'auth.login', outcome: i % 2 ? 'failure' : 'success', actor: { id: `u${i}` } });
    await logger.close();
    expect(errors).toEqual([]);
    const got = await receivedFrom('orders-tls', 10);
    expect(got).toHaveLength(10);
    expect(got.every((m) => m.input === 'tls')).toBe(true);
    expect(got.map((m) => sd(m).outcome)).toEqual([
      'success',
      'failure',
      'success',
      'failure',
      'success',
      'failure',
      'success',
      'failure',
      'success',
      'failure',
    ]);
  });

  it('refuses a TLS collector whose certificate it cannot verify, and reports it', async () => {
    const { logger, errors } = pipelineInto(
      syslogSink({ host: '127.0.0.1', port: rsyslog.tlsPort, transport: 'tls', appName: 'orders-untrusted' }),
      2,
    );
    logger.log({ type: 'auth.login' });
    await logger.close();
    expect(logger.stats().sinks[0]).toMatchObject({ failed: 1 });
    expect(errors[0]!.message).toMatch(/self.signed|unable to verify|certificate/i);
    // The handshake failed, so nothing can have reached rsyslog: no need to wait for stragglers.
    expect(rsyslog.messages().filter((m) => m.appName === 'orders-untrusted')).toHaveLength(0);
  });

  it('delivers over UDP and flags a message cut to the datagram limit', async () => {
    const { logger, errors } = pipelineInto(
      syslogSink({
        host: '127.0.0.1',
        port: rsyslog.udpPort,
        transport: 'udp',
        appName: 'orders-udp',
        maxMessageBytes: 1024,
      }),
    );
    const small = logger.log({ type: 'order.viewed' })!;
    const big = logger.log({ type: 'order.exported', details: { rows: 'x'.repeat(4000) } })!;
    await logger.close();
    expect(errors).toEqual([]);
    const got = await receivedFrom('orders-udp', 2);
    expect(got.map((m) => sd(m).id).sort()).toEqual([small, big].sort());
    const cut = got.find((m) => sd(m).id === big)!;
    expect(sd(cut).truncated).toBe('true');
    expect(cut.input).toBe('udp');
    expect(sd(got.find((m) => sd(m).id === small)!).truncated).toBeUndefined();
  });

  it('escapes ", \\ and ] in structured data so rsyslog reads the values back intact', async () => {
    const { logger } = pipelineInto(
      syslogSink({ host: '127.0.0.1', port: rsyslog.tcpPort, appName: 'orders-escape' }),
    );
    const tricky = 'a "quoted" \\ back] slash';
    logger.log({ type: 'order.created', tenant: tricky, resource: { type: 'order', id: ']' } });
    await logger.close();
    const [message] = await receivedFrom('orders-escape', 1);
    expect(sd(message!)).toMatchObject({ tenant: tricky, resourceId: ']' });
  });

  it('keeps the application working when the collector is unreachable: retried, counted, reported', async () => {
    const { logger, errors } = pipelineInto(syslogSink({ host: '127.0.0.1', port: 9, timeoutMs: 1000 }), 3);
    expect(logger.log({ type: 'order.created' })).toEqual(expect.any(String));
    await logger.close();
    expect(logger.stats().sinks[0]).toMatchObject({ failed: 1, retries: 2 });
    expect(errors.at(-1)!.message).toMatch(/ECONNREFUSED/);
  });

  it('rejects bad options at construction', () => {
    expect(() => syslogSink({ host: '' })).toThrow(/host is required/);
    expect(() => syslogSink({ host: 'h', transport: 'quic' as never })).toThrow(/transport must be/);
    expect(() => syslogSink({ host: 'h', facility: 24 })).toThrow(/facility/);
  });
});
