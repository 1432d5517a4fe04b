// Cost of the protect stage: pipeline events/s and log() time with detectors and field encryption on vs off.
const { mkdirSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const { createAuditLogger, generateKeyring, localKeyring, memorySink } = require('@auditkit/core');

/** A request-like event carrying a JWT, a card number, an e-mail and fields chosen for encryption. */
function input(i) {
  return {
    type: 'payment.captured',
    actor: { type: 'user', id: `u-${i % 100}` },
    resource: { type: 'order', id: `ord-${i}` },
    details: {
      note: 'customer jane.doe@example.com paid with 4111 1111 1111 1111',
      authHeader: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlc2lnbmF0dXJl',
      iban: 'DE89370400440532013000',
      diagnosis: 'none',
      items: 3,
    },
  };
}

const keyring = localKeyring(generateKeyring('k1'));
const configs = {
  off: {
    redact: {
      cardNumbers: false,
      detectors: { jwt: false, bearer: false, awsAccessKey: false, privateKey: false },
    },
  },
  detectors: {
    redact: { detectors: { email: 'hash', phone: 'mask' }, hashKey: 'bench-pseudonym-key-0123456789' },
  },
  'detectors+encryption': {
    redact: { detectors: { email: 'hash', phone: 'mask' }, hashKey: 'bench-pseudonym-key-0123456789' },
    protect: { encrypt: ['details.iban', 'details.diagnosis'], keyring },
  },
};

async function run(name, extra, total) {
  const logger = createAuditLogger({
    service: 'bench',
    flushOnExit: false,
    sinks: [memorySink({ maxEvents: 1 })],
    ...extra,
  });
  let logNs = 0n;
  const started = process.hrtime.bigint();
  for (let i = 0; i < total; ) {
    const end = Math.min(total, i + 1000);
    const t = process.hrtime.bigint();
    for (; i < end; i++) logger.log(input(i));
    logNs += process.hrtime.bigint() - t;
    await logger.flush();
  }
  await logger.close();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const s = logger.stats();
  if (s.dropped !== 0) throw new Error(`${name}: dropped events ${JSON.stringify(s)}`);
  return {
    name,
    events: total,
    eventsPerSecond: Math.round(total / seconds),
    logMicroseconds: Math.round(Number(logNs) / total) / 1000,
  };
}

async function main() {
  const total = Number(process.env.EVENTS ?? 100_000);
  for (const [name, extra] of Object.entries(configs)) await run(name, extra, 20_000); // warm-up
  const results = [];
  for (const [name, extra] of Object.entries(configs)) results.push(await run(name, extra, total));
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
  };
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'protect.json'), `${JSON.stringify({ ...meta, results }, null, 2)}\n`);
  const rows = results.map((r) => `| ${r.name} | ${r.eventsPerSecond} | ${r.logMicroseconds} |`).join('\n');
  writeFileSync(
    join(dir, 'protect.md'),
    `# Protect stage\n\n${meta.date}, Node ${meta.node}, ${meta.cpu} (${meta.cores} cores), ${total} events into memorySink.\n\n| config | events/s | log() µs |\n|---|---|---|\n${rows}\n`,
  );
  console.log(rows);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
