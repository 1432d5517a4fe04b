import { type AuditInput, type AuditLogger, RequestAuditor } from '@auditkit/core/adapter';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { AuditedRequest, NestAuditOptions } from './metadata';
import { AUDIT_OPTIONS } from './symbols';

/** Injectable access to the logger: `auditService.log({...})` from any provider. Holds the module's one auditor. */
@Injectable()
export class AuditService implements OnApplicationShutdown {
  readonly auditor: RequestAuditor<AuditedRequest>;

  constructor(@Inject(AUDIT_OPTIONS) options: NestAuditOptions) {
    this.auditor = new RequestAuditor<AuditedRequest>(options, {
      eventType: 'http.request',
      name: 'AuditModule',
    });
  }

  get logger(): AuditLogger {
    return this.auditor.logger;
  }

  log(input: AuditInput): string | undefined {
    return this.logger.log(input);
  }

  /** Module shutdown flushes the logger (it may be shared, so it is not closed). */
  async onApplicationShutdown(): Promise<void> {
    await this.logger.flush();
  }
}
