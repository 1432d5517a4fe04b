/**
 * A real rsyslog (Debian's package) for the syslog sink's tests: listens on UDP, TCP and TLS on
 * loopback and writes every message it parsed, field by field, to a file. Installed with apt when
 * missing, so a fresh machine needs nothing by hand.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RSYSLOGD = '/usr/sbin/rsyslogd';
const GTLS = '/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so';

/** Installs rsyslog and its TLS driver from Debian's packages when they are not there. */
export function ensureRsyslog(): void {
  if (existsSync(RSYSLOGD) && existsSync(GTLS)) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'rsyslog', 'rsyslog-gnutls'], {
    stdio: 'ignore',
    env,
  });
}

async function freeTcpPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const { port } = socket.address();
  await new Promise((resolve) => socket.close(() => resolve(undefined)));
  return port;
}

async function tcpAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A CA and a server certificate for 127.0.0.1, made with openssl. */
function makeCertificates(dir: string): { ca: string } {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca-key.pem',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=auditkit test CA',
  );
  run(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server-key.pem',
    '-out',
    'server.csr',
    '-subj',
    '/CN=127.0.0.1',
  );
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca-key.pem',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  );
  return { ca: readFileSync(join(dir, 'ca.pem'), 'utf8') };
}

/** One message as rsyslog parsed it. */
export interface ParsedSyslog {
  input: string;
  pri: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  structuredData: string;
  msg: string;
}

export interface Rsyslog {
  udpPort: number;
  tcpPort: number;
  tlsPort: number;
  /** PEM of the CA that signed the TLS listener's certificate. */
  ca: string;
  /** Messages received so far. */
  messages(): ParsedSyslog[];
  /** Waits until at least `count` messages arrived (or throws after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ParsedSyslog[]>;
  stop(): Promise<void>;
}

const SEP = '\u001f'; // unit separator: never in a syslog header, escaped nowhere in SD

export async function startRsyslog(): Promise<Rsyslog> {
  ensureRsyslog();
  const dir = mkdtempSync(join(tmpdir(), 'auditkit-rsyslog-'));
  const { ca } = makeCertificates(dir);
  const [udpPort, tcpPort, tlsPort] = [await freeUdpPort(), await freeTcpPort(), await freeTcpPort()];
  const out = join(dir, 'messages.log');
  const fields = [
    'inputname',
    'pri',
    'timereported',
    'hostname',
    'app-name',
    'procid',
    'msgid',
    'structured-data',
    'msg',
  ];
  const template = fields
    .map((name) =>
      name === 'timereported' ? `property(name="${name}" dateFormat="rfc3339")` : `property(name="${name}")`,
    )
    .join(` constant(value="${SEP}") `);
  writeFileSync(
    join(dir, 'rsyslog.conf'),
    `global(workDirectory="${dir}" maxMessageSize="64k"
  defaultNetstreamDriverCAFile="${dir}/ca.pem"
  defaultNetstreamDriverCertFile="${dir}/server.pem"
  defaultNetstreamDriverKeyFile="${dir}/server-key.pem")
module(load="imudp")
module(load="imtcp" maxSessions="100")
input(type="imudp" address="127.0.0.1" port="${udpPort}" name="udp")
input(type="imtcp" address="127.0.0.1" port="${tcpPort}" name="tcp")
input(type="imtcp" address="127.0.0.1" port="${tlsPort}" name="tls"
  streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
template(name="fields" type="list") { ${template} constant(value="\\n") }
action(type="omfile" file="${out}" template="fields" flushOnTXEnd="on" asyncWriting="off")
`,
  );
  const child: ChildProcess = spawn(
    RSYSLOGD,
    ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const deadline = Date.now() + 15_000;
  while (!((await tcpAnswers(tcpPort)) && (await tcpAnswers(tlsPort)))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`rsyslogd did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  const messages = (): ParsedSyslog[] => {
    if (!existsSync(out)) return [];
    return readFileSync(out, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => {
        const [input, pri, timestamp, hostname, appName, procId, msgId, structuredData, msg] =
          line.split(SEP);
        return {
          input: input!,
          pri: Number(pri),
          timestamp: timestamp!,
          hostname: hostname!,
          appName: appName!,
          procId: procId!,
          msgId: msgId!,
          structuredData: structuredData!,
          msg: msg!,
        };
      });
  };

  return {
    udpPort,
    tcpPort,
    tlsPort,
    ca,
    messages,
    async waitFor(count, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const got = messages();
        if (got.length >= count) return got;
        if (Date.now() > until)
          throw new Error(`rsyslog received ${got.length} of ${count} messages; stderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
