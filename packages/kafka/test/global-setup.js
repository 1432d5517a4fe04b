// One broker for the kafka test files (each uses topics and groups of its own); the restart test
// starts its own. An external broker can be given with AUDITKIT_TEST_KAFKA_BROKERS instead.
const { startKafka } = require('../../../test/infra/kafka/start.js');

module.exports = async () => {
  if (process.env.AUDITKIT_TEST_KAFKA_BROKERS) return;
  const broker = await startKafka();
  globalThis.__auditkitKafkaBroker = broker;
  process.env.AUDITKIT_TEST_KAFKA_BROKERS = broker.brokers.join(',');
};
