import 'reflect-metadata';
import { audit } from '@auditkit/core';
import { AuditAction, AuditDataChange, AuditModule, type NestAuditOptions, NoAudit } from '@auditkit/nestjs';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpException,
  Module,
  NotFoundException,
  Param,
  Patch,
  Post,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';

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

export type Platform = 'express' | 'fastify';

/** Starts the users app on `platform`, configured through `forRoot` or `forRootAsync`. */
export async function startNest(
  platform: Platform,
  options: NestAuditOptions,
  register: 'forRoot' | 'forRootAsync' = 'forRoot',
) {
  const audit =
    register === 'forRoot'
      ? AuditModule.forRoot(options)
      : AuditModule.forRootAsync({ useFactory: async () => options });
  @Module({ imports: [audit], controllers: [UsersController] })
  class AppModule {}
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(AppModule, adapter as never, { logger: false });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(url + path, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
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
