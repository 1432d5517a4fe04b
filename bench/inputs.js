// The inputs the benchmarks log, in one place, so every figure speaks of the same events.

/** An order change as a business event: about 700 bytes of JSON once enriched. */
function orderUpdate(i) {
  return {
    type: 'order.updated',
    message: 'order status changed by clerk',
    resource: { type: 'order', id: `ord-${i}` },
    changes: { before: { status: 'open', quantity: 2 }, after: { status: 'shipped', quantity: 2 } },
    details: { warehouse: 'fra-2', carrier: 'dhl', tracking: `JD0146000033${i}`, items: 3 },
    compliance: ['SOX'],
  };
}

/** A smaller order event from 100 actors in 10 tenants, for store and transport benchmarks. */
function orderEvent(i) {
  return {
    type: 'order.updated',
    actor: { type: 'user', id: `u-${i % 100}` },
    tenant: `t-${i % 10}`,
    resource: { type: 'order', id: `ord-${i}` },
    details: { warehouse: 'fra-2', items: i % 7 },
  };
}

/** The request context the pipeline benches log in: a signed-in user's PATCH, with trace ids. */
const requestContext = {
  requestId: '3f1c2b7e-8d4a-4c1e-9f2a-6b5d4e3c2a10',
  correlationId: '3f1c2b7e-8d4a-4c1e-9f2a-6b5d4e3c2a10',
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  actor: { type: 'user', id: 'u-alice', roles: ['clerk'] },
  tenant: 'acme',
  ip: '10.1.2.3',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
  request: { protocol: 'http', method: 'PATCH', path: '/orders/42' },
};

module.exports = { orderEvent, orderUpdate, requestContext };
