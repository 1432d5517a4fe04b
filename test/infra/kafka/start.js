// Starts a single-node Apache Kafka broker (KRaft: broker and controller in one process) from the
// jars Maven fetches into target/lib on first use, on free ports, with a temporary log dir.
const { execFileSync, spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { createInterface } = require('node:readline');

const LIB = join(__dirname, 'target/lib');
const READY = /Kafka Server started/;
const START_TIMEOUT_MS = 60_000;

function fetchJars() {
  if (existsSync(LIB)) return;
  execFileSync('mvn', ['-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${LIB}`], {
    cwd: __dirname,
    stdio: 'inherit',
  });
}

/** A port nobody listens on right now (the OS picks it; closed again before Kafka binds it). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * JVM flags. `quickStart` (tests) stops at the C1 compiler and uses the serial collector: the broker
 * starts in about half the time; benchmarks leave it off for full-speed code.
 */
function jvmFlags(quickStart) {
  const flags = ['-Xms128m', '-Xmx512m', '-cp', join(LIB, '*')];
  return quickStart ? ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', ...flags] : flags;
}

// Only the "started" line reaches stdout; warnings and errors go to stderr for diagnosis.
const LOG_FLAGS = [
  '-Dorg.slf4j.simpleLogger.defaultLogLevel=error',
  '-Dorg.slf4j.simpleLogger.log.kafka.server.KafkaRaftServer=info',
  '-Dorg.slf4j.simpleLogger.logFile=System.out',
];

function properties({ brokerPort, controllerPort, dataDir, partitions }) {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `listeners=PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${brokerPort}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `log.dirs=${dataDir}`,
    `num.partitions=${partitions}`,
    // One node: every internal topic has one replica; one offsets partition starts faster.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
    '',
  ].join('\n');
}

/** Runs the broker until its ready line; rejects with its stderr tail if it exits first. */
function launch(configFile, quickStart) {
  const child = spawn('java', [...jvmFlags(quickStart), ...LOG_FLAGS, 'kafka.Kafka', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // A test process that ends without close() must not leave a broker behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  exited.then(() => process.removeListener('exit', killOnExit));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kafka test broker did not start within ${START_TIMEOUT_MS} ms\n${stderr}`));
    }, START_TIMEOUT_MS);
    child.once('error', reject);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`kafka test broker exited with ${code}\n${stderr}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (READY.test(line)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return ready.then(() => ({ child, exited }));
}

/**
 * Resolves to `{ brokers, stop(), start(), restart(), close() }` once the broker answers;
 * `partitions` is the default partition count of auto-created topics.
 * `stop()` shuts the broker down cleanly (SIGTERM) and `start()` runs it again with the same ports
 * and log dir, so a restart keeps every topic, offset and producer state; `close()` also deletes
 * the log dir.
 */
async function startKafka({ partitions = 1, quickStart = true } = {}) {
  fetchJars();
  const dir = mkdtempSync(join(tmpdir(), 'auditkit-kafka-'));
  const dataDir = join(dir, 'data');
  const configFile = join(dir, 'server.properties');
  const brokerPort = await freePort();
  const controllerPort = await freePort();
  writeFileSync(configFile, properties({ brokerPort, controllerPort, dataDir, partitions }));
  // A cluster id is 16 random bytes in URL-safe base64 without padding, as `random-uuid` prints.
  const clusterId = randomBytes(16).toString('base64url');
  execFileSync(
    'java',
    // `--cluster-id=` in one argument: an id starting with `-` would otherwise read as an option.
    [
      ...jvmFlags(true),
      ...LOG_FLAGS,
      'kafka.tools.StorageTool',
      'format',
      `--cluster-id=${clusterId}`,
      '-c',
      configFile,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  let running = await launch(configFile, quickStart);
  const broker = {
    brokers: [`127.0.0.1:${brokerPort}`],
    dataDir,
    /** The broker's process id while it runs (benchmarks read its CPU time). */
    get pid() {
      return running?.child.pid;
    },
    async stop() {
      if (!running) return;
      const { child, exited } = running;
      running = undefined;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
    async start() {
      if (!running) running = await launch(configFile, quickStart);
    },
    async restart() {
      await broker.stop();
      await broker.start();
    },
    async close() {
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return broker;
}

/** The Kafka version pom.xml pins. */
function kafkaVersion() {
  const pom = readFileSync(join(__dirname, 'pom.xml'), 'utf8');
  return /<artifactId>kafka_2\.13<\/artifactId>\s*<version>([^<]+)</.exec(pom)?.[1];
}

module.exports = { kafkaVersion, startKafka };
