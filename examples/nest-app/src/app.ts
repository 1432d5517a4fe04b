import 'reflect-metadata';
import type { AuditLogger } from '@auditkit/core';
import { AuditModule } from '@auditkit/nestjs';
import { type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/** A user API on NestJS, audited by importing one module. */
export async function createApp(options: { logger?: AuditLogger } = {}): Promise<INestApplication> {
  @Module({
    imports: [
      AuditModule.forRoot({
        logger: options.logger,
        actor: (request) => {
          const user = request.headers['x-user-id'];
          return typeof user === 'string' ? { type: 'user', id: user } : undefined;
        },
        tenant: (request) => request.headers['x-tenant-id'] as string | undefined,
      }),
    ],
    controllers: [UsersController],
    providers: [UsersService],
  })
  class AppModule {}
  return NestFactory.create(AppModule, { logger: false });
}
