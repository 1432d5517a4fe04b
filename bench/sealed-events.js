// Sealed events made once through the real pipeline, for benchmarks of a sink or store on its own.
const { createAuditLogger, memorySink } = require('@auditkit/core');
const { orderEvent } = require('./inputs');

/** `n` order events from 100 actors in 10 tenants, sealed into one chain. */
async function sealedEvents(n) {
  const sink = memorySink();
  const logger = createAuditLogger({
    service: 'bench',
    flushOnExit: false,
    sinks: [sink],
    queue: { maxEvents: n + 1, maxBytes: 2 ** 31 },
  });
  for (let i = 0; i < n; i++) {
    logger.log(orderEvent(i));
  }
  await logger.close();
  return sink.events;
}

module.exports = { sealedEvents };
