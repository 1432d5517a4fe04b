// A unary gRPC service, with or without the audit interceptor (GRPC_AUDIT=1), or with the floor under
// it (GRPC_AUDIT=floor): an interceptor that only runs the call's callbacks in AsyncLocalStorage.
const { join } = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const definition = protoLoader.loadSync(
  join(__dirname, '..', '..', 'examples', 'grpc-service', 'proto', 'orders.proto'),
);
const shop = grpc.loadPackageDefinition(definition).shop;
const interceptors = [];
if (process.env.GRPC_AUDIT === 'floor') {
  const { AsyncLocalStorage } = require('node:async_hooks');
  const als = new AsyncLocalStorage();
  interceptors.push((_descriptor, call) => {
    const context = {};
    const inContext = (fn) => als.run(context, fn);
    return new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => inContext(() => nextMetadata(metadata)),
          onReceiveMessage: (message, nextMessage) => inContext(() => nextMessage(message)),
          onReceiveHalfClose: (nextHalfClose) => inContext(nextHalfClose),
        }),
      sendStatus: (callStatus, next) => next(callStatus),
    });
  });
}
if (process.env.GRPC_AUDIT === '1') {
  const { createAuditLogger, fileSink } = require('@auditkit/core');
  const { auditFileOptions } = require('./audit-file');
  const { auditServerInterceptor } = require('@auditkit/grpc');
  const logger = createAuditLogger({ service: 'bench', sinks: [fileSink(auditFileOptions())] });
  interceptors.push(auditServerInterceptor({ logger }));
}
const server = new grpc.Server({ interceptors });
server.addService(shop.Orders.service, {
  GetOrder: (call, callback) => callback(null, { id: call.request.id, item: 'laptop' }),
});
server.bindAsync(`127.0.0.1:${process.env.PORT}`, grpc.ServerCredentials.createInsecure(), () =>
  process.send?.('ready'),
);
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
