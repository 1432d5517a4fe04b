import 'reflect-metadata';
import { AuditModule } from '@auditkit/nestjs';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';

describe('nestjs: configuration errors surface when the module is created', () => {
  const saved = process.env.AUDITKIT_SIGNING_KEY;
  afterEach(() => {
    if (saved === undefined) delete process.env.AUDITKIT_SIGNING_KEY;
    else process.env.AUDITKIT_SIGNING_KEY = saved;
  });

  it('AuditModule.forRoot refuses unknown and mistyped options, naming them', () => {
    expect(() => AuditModule.forRoot({ exlcude: '/health' } as never)).toThrow(
      'auditkit: AuditModule.forRoot option exlcude is unknown (got the string "/health"); did you mean exclude?',
    );
    expect(() => AuditModule.forRoot({ tenant: 'acme' } as never)).toThrow(
      'auditkit: AuditModule.forRoot option tenant must be a function, got the string "acme"',
    );
  });

  it('a broken AUDITKIT_SIGNING_KEY fails the zero-config AuditModule.forRoot()', () => {
    process.env.AUDITKIT_SIGNING_KEY = 'garbage';
    expect(() => AuditModule.forRoot()).toThrow(
      /the AUDITKIT_SIGNING_KEY environment variable must be PEM text or the path of a PEM file/,
    );
  });

  it('AuditModule.forRootAsync refuses a missing factory, naming it', () => {
    expect(() => AuditModule.forRootAsync({ usefactory: () => ({}) } as never)).toThrow(
      'auditkit: AuditModule.forRootAsync option usefactory is unknown (got a function); did you mean useFactory?',
    );
    expect(() => AuditModule.forRootAsync({} as never)).toThrow(
      'auditkit: AuditModule.forRootAsync option useFactory must be a function, got undefined',
    );
  });

  it('forRootAsync options are checked when the application is created, before it listens', async () => {
    @Module({
      imports: [AuditModule.forRootAsync({ useFactory: () => ({ servce: 'billing' }) as never })],
    })
    class AppModule {}
    await expect(
      NestFactory.create(AppModule, new ExpressAdapter(), { logger: false, abortOnError: false }),
    ).rejects.toThrow(/auditkit: AuditModule option servce is unknown \(got the string "billing"\)/);
  });
});
