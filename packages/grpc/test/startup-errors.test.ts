import { auditClientInterceptor, auditServerInterceptor } from '@auditkit/grpc';

describe('grpc: configuration errors surface when an interceptor is created', () => {
  const saved = process.env.AUDITKIT_SIGNING_KEY;
  afterEach(() => {
    if (saved === undefined) delete process.env.AUDITKIT_SIGNING_KEY;
    else process.env.AUDITKIT_SIGNING_KEY = saved;
  });

  it('auditServerInterceptor refuses unknown and mistyped options, naming them', () => {
    expect(() => auditServerInterceptor({ exlcude: '/shop.Orders/Ping' } as never)).toThrow(
      'auditkit: auditServerInterceptor option exlcude is unknown (got the string "/shop.Orders/Ping"); did you mean exclude?',
    );
    expect(() => auditServerInterceptor({ actor: { id: 'svc' } } as never)).toThrow(
      'auditkit: auditServerInterceptor option actor must be a function, got an object',
    );
  });

  it('auditClientInterceptor refuses unknown and mistyped options, naming them', () => {
    expect(() => auditClientInterceptor({ correlationIdHeadr: 'x-cid' } as never)).toThrow(
      'auditkit: auditClientInterceptor option correlationIdHeadr is unknown (got the string "x-cid"); did you mean correlationIdHeader?',
    );
    expect(() => auditClientInterceptor({ correlationIdHeader: '' })).toThrow(
      'auditkit: auditClientInterceptor option correlationIdHeader must be a non-empty string, got the string ""',
    );
  });

  it('a broken AUDITKIT_SIGNING_KEY fails the zero-config server interceptor when it is created', () => {
    process.env.AUDITKIT_SIGNING_KEY = 'garbage';
    expect(() => auditServerInterceptor()).toThrow(
      /the AUDITKIT_SIGNING_KEY environment variable must be PEM text or the path of a PEM file/,
    );
  });
});
