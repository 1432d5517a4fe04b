import { type ArgumentsHost, Catch, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { type HttpRequest, requestAuditOf } from './http-capture';

type RpcFilter = { catch(exception: unknown, host: ArgumentsHost): unknown };
let rpcFilter: RpcFilter | undefined;
const external = new Logger('ExceptionsHandler');

/**
 * Records the error that ended an HTTP request on the request's audit (its `http.request` event
 * carries it), then answers exactly as Nest does without it. Exceptions a handler's or
 * controller's own filters answer never come here: the module binds its interceptor to those
 * handlers instead.
 */
@Catch()
export class AuditErrorFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType() === 'http') {
      const audit = requestAuditOf(host.switchToHttp().getRequest<HttpRequest>());
      if (audit && audit.error === undefined) audit.error = exception;
      return super.catch(exception, host);
    }
    if (host.getType() === 'rpc') {
      // Microservices answer as Nest's own RPC filter does (the package is there if they are).
      rpcFilter ??= new (
        require('@nestjs/microservices') as { BaseRpcExceptionFilter: new () => RpcFilter }
      ).BaseRpcExceptionFilter();
      return rpcFilter.catch(exception, host);
    }
    // Other contexts (GraphQL resolvers and the like) get Nest's default for them: logged, rethrown.
    if (exception instanceof Error) external.error(exception);
    throw exception;
  }
}
