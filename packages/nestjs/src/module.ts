import {
  checkAdapterOptions,
  checkOptions,
  type OptionShape,
  type OptionSpec,
  option,
} from '@auditkit/core/adapter';
import {
  type DynamicModule,
  Global,
  Inject,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  type Provider,
} from '@nestjs/common';
import { APP_FILTER, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { AuditErrorFilter } from './error-filter';
import { mountHttpCapture } from './http-capture';
import { AuditInterceptor } from './interceptor';
import type { NestAuditOptions } from './metadata';
import { bindInterceptor } from './route-binding';
import { AuditService } from './service';
import { AUDIT_OPTIONS } from './symbols';

export interface AuditModuleAsyncOptions {
  imports?: DynamicModule['imports'];
  inject?: Array<string | symbol | (abstract new (...args: never[]) => unknown)>;
  useFactory: (...args: never[]) => NestAuditOptions | Promise<NestAuditOptions>;
}

const ASYNC_OPTIONS: OptionShape = {
  imports: option.arrayOf(
    option.custom('a module', (v) => v !== null && v !== undefined),
    'an array of modules',
  ),
  inject: option.arrayOf(
    option.custom('an injection token', (v) => v !== null && v !== undefined),
    'an array of tokens',
  ),
  useFactory: option.required(option.function()),
} satisfies Record<keyof AuditModuleAsyncOptions, OptionSpec>;

function build(options: Provider): DynamicModule {
  return {
    module: AuditModule,
    providers: [
      options,
      AuditService,
      AuditInterceptor,
      // Not a global interceptor: that alone costs every route Nest's interceptor chain.
      { provide: APP_FILTER, useClass: AuditErrorFilter },
    ],
    exports: [AuditService],
  };
}

@Global()
@Module({})
export class AuditModule implements NestModule {
  #mounted = false;

  /**
   * `NestFactory.create` has the HTTP server before it creates modules: mounted now, the capture
   * comes before every middleware (Nest's on Fastify run in one hook, registered at `init()`).
   */
  constructor(
    @Inject(HttpAdapterHost) private readonly host: HttpAdapterHost,
    @Inject(AuditService) private readonly service: AuditService,
    @Inject(ModulesContainer) modules: ModulesContainer,
    @Inject(AuditInterceptor) interceptor: AuditInterceptor,
  ) {
    this.#mount();
    // Modules are created before Nest builds any route or handler: bound now, every one sees it.
    bindInterceptor(modules, interceptor);
  }

  /**
   * A testing module gets its server after creating modules; Nest configures middleware before it
   * mounts any of it or any route, so the capture mounted here still sees every request.
   */
  configure(_consumer: MiddlewareConsumer): void {
    this.#mount();
  }

  /** Mounts the HTTP capture once; a microservice has no HTTP adapter. */
  #mount(): void {
    const adapter = this.host.httpAdapter;
    if (this.#mounted || !adapter) return;
    this.#mounted = true;
    if (!mountHttpCapture(adapter, this.service.auditor))
      process.emitWarning(
        `auditkit: no http.request events on the Nest HTTP platform "${adapter.getType()}" (Express and Fastify are supported)`,
      );
  }

  static forRoot(options: NestAuditOptions = {}): DynamicModule {
    // A bad configuration fails here, where the module is declared, not in a request.
    checkAdapterOptions(options, { eventType: 'http.request', name: 'AuditModule.forRoot' });
    return build({ provide: AUDIT_OPTIONS, useValue: options });
  }

  static forRootAsync(options: AuditModuleAsyncOptions): DynamicModule {
    // The factory's result is checked when the application creates the interceptor.
    checkOptions(options, ASYNC_OPTIONS, 'AuditModule.forRootAsync');
    return {
      ...build({ provide: AUDIT_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }),
      imports: options.imports ?? [],
    };
  }
}
