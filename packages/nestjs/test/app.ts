import 'reflect-metadata';
import { audit } from '@auditkit/core';
import {
  AuditAction,
  AuditDataChange,
  type AuditedRequest,
  AuditModule,
  type NestAuditOptions,
  NoAudit,
} from '@auditkit/nestjs';
import {
  type ArgumentsHost,
  Body,
  type CanActivate,
  Catch,
  ConflictException,
  Controller,
  Delete,
  type ExceptionFilter,
  type ExecutionContext,
  Get,
  HttpCode,
  HttpException,
  type INestApplication,
  Module,
  NotFoundException,
  Param,
  Patch,
  Post,
  UseFilters,
  UseGuards,
  ValidationPipe,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { IsString, Length } from 'class-validator';

const users = new Map<string, { id: string; name: string; role: string }>([
  ['1', { id: '1', name: 'Ann', role: 'clerk' }],
]);

@Controller('users')
class UsersController {
  @Post()
  @AuditAction({
    type: 'user.created',
    action: 'create',
    resource: { type: 'user', id: (_req, result) => (result as { id: string }).id },
  })
  create(@Body() dto: { name: string }) {
    const user = { id: String(users.size + 1), name: dto.name, role: 'viewer' };
    users.set(user.id, user);
    return user;
  }

  @Patch(':id')
  @AuditDataChange({ resource: 'user', id: 'params.id', before: (id) => ({ ...users.get(id) }) })
  update(@Param('id') id: string, @Body() dto: { role?: string; fail?: boolean }) {
    const user = users.get(id);
    if (!user) throw new NotFoundException(`user ${id}`);
    if (dto.fail) throw new HttpException('role change refused', 409);
    Object.assign(user, { role: dto.role });
    return { ...user };
  }

  @Patch('flaky/:id')
  @AuditDataChange({
    resource: 'user',
    id: 'params.id',
    before: () => {
      throw new Error('loader down');
    },
  })
  flaky(@Param('id') id: string) {
    return { ...users.get(id) };
  }

  @Get(':id')
  async find(@Param('id') id: string) {
    await new Promise((r) => setTimeout(r, Math.random() * 5));
    audit.log({ type: 'user.viewed', resource: { type: 'user', id } });
    const user = users.get(id);
    if (!user) throw new NotFoundException();
    return user;
  }

  @Get('health/check')
  @NoAudit()
  @HttpCode(200)
  health() {
    return { ok: true };
  }

  @Get('boom/now')
  boom() {
    throw new Error('database down');
  }
}

/** The request as the guards leave it: `user` set by the authenticating guard. */
export type GuardedRequest = AuditedRequest & { user?: { id: string; roles: string[] } };

/** Authenticates from `x-user` and `x-role` and sets `request.user`, as a passport guard would. */
class AuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    const user = request.headers['x-user'];
    if (typeof user !== 'string') return false;
    request.user = { id: user, roles: [String(request.headers['x-role'] ?? 'viewer')] };
    return true;
  }
}

/** Lets admins through; everyone else gets 403. */
class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest<GuardedRequest>().user?.roles.includes('admin') === true;
  }
}

@Controller('admin')
@UseGuards(AuthGuard, AdminGuard)
class AdminController {
  @Delete('users/:id')
  @AuditAction({
    type: 'user.deleted',
    action: 'delete',
    resource: { type: 'user', id: (req) => req.params?.id },
  })
  remove(@Param('id') id: string) {
    return { deleted: id };
  }
}

class CreateAccountDto {
  @IsString()
  @Length(1, 20)
  name!: string;
}

/** Answers a conflict itself, on either platform. */
@Catch(ConflictException)
class ConflictFilter implements ExceptionFilter {
  catch(exception: ConflictException, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse();
    const body = { conflict: exception.message };
    if (typeof reply.code === 'function') reply.code(409).send(body);
    else reply.status(409).json(body);
  }
}

@Controller('accounts')
class AccountsController {
  @Post()
  create(@Body(new ValidationPipe()) dto: CreateAccountDto) {
    return { id: 'a-1', name: dto.name };
  }

  @Post('lock')
  @UseFilters(ConflictFilter)
  lock() {
    throw new ConflictException('account already locked');
  }

  // The id callback reads the result, which a failing handler never has.
  @Post('merge')
  @AuditAction({
    type: 'account.merged',
    action: 'update',
    resource: { type: 'account', id: (_req, result) => (result as { id: string }).id, name: 'main' },
  })
  merge() {
    throw new HttpException('accounts differ', 409);
  }
}

export type Platform = 'express' | 'fastify';

/**
 * Starts the users app on `platform`, configured through `forRoot` or `forRootAsync`, created by
 * `NestFactory` or from a testing module (which gets its HTTP server after creating the modules).
 */
export async function startNest(
  platform: Platform,
  options: NestAuditOptions,
  register: 'forRoot' | 'forRootAsync' = 'forRoot',
  create: 'factory' | 'testing' = 'factory',
  /** What main.ts would do between creating the app and listening. */
  setup: (app: INestApplication) => void = () => {},
) {
  const audit =
    register === 'forRoot'
      ? AuditModule.forRoot(options)
      : AuditModule.forRootAsync({ useFactory: async () => options });
  @Module({ imports: [audit], controllers: [UsersController, AdminController, AccountsController] })
  class AppModule {}
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app =
    create === 'factory'
      ? await NestFactory.create(AppModule, adapter as never, { logger: false })
      : (await Test.createTestingModule({ imports: [AppModule] }).compile()).createNestApplication(
          adapter as never,
          { logger: false },
        );
  setup(app);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(url + path, {
      method,
      // A request that hangs fails the test here, not at the test timeout.
      signal: AbortSignal.timeout(5000),
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: res.status,
      json: (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined,
      headers: res.headers,
    };
  };
  return { app, call };
}
