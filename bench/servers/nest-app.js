// The route every Nest variant serves (Express platform), decorators applied by hand in plain JS,
// so the only difference between the variants is the audit module.
require('reflect-metadata');
const { Controller, Get, Module, Param } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');

class OrdersController {
  find(id) {
    return { id, item: 'laptop', quantity: 2, status: 'open' };
  }
}
Controller('orders')(OrdersController);
Param('id')(OrdersController.prototype, 'find', 0);
Get(':id')(
  OrdersController.prototype,
  'find',
  Object.getOwnPropertyDescriptor(OrdersController.prototype, 'find'),
);

async function start(imports = []) {
  class AppModule {}
  Module({ imports, controllers: [OrdersController] })(AppModule);
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(Number(process.env.PORT), '127.0.0.1');
  process.send?.('ready');
  process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
}

module.exports = start;
/** The controller, for a variant that decorates its route before the app starts. */
module.exports.OrdersController = OrdersController;
