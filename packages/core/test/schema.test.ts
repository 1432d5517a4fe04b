import Ajv2020 from 'ajv/dist/2020';
import schema from '../schema/audit-event.v1.json';
import { runWithContext } from '../src';
import { testLogger } from './helpers';

describe('published JSON Schema', () => {
  it('accepts every kind of event the pipeline produces', async () => {
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    const { logger, sink } = testLogger();
    logger.log({ type: 'minimal' });
    logger.log({ type: 'x', error: 'boom', resource: 'thing', details: [1] as never, time: 'garbage' });
    logger.log(null as never);
    runWithContext(
      {
        requestId: 'r',
        correlationId: 'c',
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        tenant: 't',
        ip: '::1',
        userAgent: 'ua',
        actor: { type: 'user', id: 'u', roles: ['a'] },
        request: { protocol: 'http', method: 'GET', path: '/' },
      },
      () =>
        logger.log({
          type: 'user.updated',
          severity: 'notice',
          message: 'm',
          changes: {
            before: { a: 1 },
            after: { a: 2 },
            diff: [{ op: 'replace', path: '/a', from: 1, to: 2 }],
          },
          details: { nested: { deep: [1, 'two', null, { three: 3n }] } },
          compliance: ['SOX', 'GDPR'],
          request: {
            id: 'r',
            protocol: 'http',
            method: 'PATCH',
            path: '/u/1',
            route: '/u/:id',
            status: 200,
            durationMs: 1.5,
            bytesIn: 10,
            bytesOut: 20,
          },
        }),
    );
    await logger.close();
    expect(sink.events).toHaveLength(4);
    for (const e of sink.events) {
      const ok = validate(JSON.parse(JSON.stringify(e)));
      if (!ok) throw new Error(`${JSON.stringify(validate.errors)} for ${JSON.stringify(e)}`);
    }
  });
});
