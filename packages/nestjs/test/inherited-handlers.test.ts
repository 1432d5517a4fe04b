import 'reflect-metadata';
import { AuditModule, NoAudit } from '@auditkit/nestjs';
import { memoryLogger } from '@auditkit/test-utils';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { Platform } from './app';

/** One handler, inherited by two controllers: only one of them is marked `@NoAudit`. */
class Ping {
  @Get('ping')
  ping() {
    return { ok: true };
  }
}

@Controller('public')
class PublicController extends Ping {}

@NoAudit()
@Controller('quiet')
class QuietController extends Ping {}

describe.each<Platform>(['express', 'fastify'])(
  'nestjs on %s: a handler two controllers share',
  (platform) => {
    it('is recorded or not by the controller that serves it, whichever is called first', async () => {
      const { logger, sink } = memoryLogger();
      @Module({
        imports: [AuditModule.forRoot({ logger })],
        controllers: [PublicController, QuietController],
      })
      class AppModule {}
      const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
      const app = await NestFactory.create(AppModule, adapter as never, { logger: false });
      await app.listen(0, '127.0.0.1');
      const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      const statuses: number[] = [];
      for (const path of ['/quiet/ping', '/public/ping', '/quiet/ping', '/public/ping'])
        statuses.push((await fetch(url + path, { signal: AbortSignal.timeout(5000) })).status);
      await app.close();
      await logger.close();
      expect(statuses).toEqual([200, 200, 200, 200]);
      expect(sink.events.filter((e) => e.type === 'http.request').map((e) => e.request?.path)).toEqual([
        '/public/ping',
        '/public/ping',
      ]);
    });
  },
);
