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

module.exports = { orderEvent, orderUpdate };
