import { type RunningConsole, startConsole } from './helpers';

let c: RunningConsole;
beforeAll(async () => {
  c = await startConsole();
});
afterAll(() => c.close());

describe('GET /api/openapi.json', () => {
  it('documents every route from the same schemas that validate them', async () => {
    const r = await c.api('/api/openapi.json');
    expect(r.status).toBe(200);
    const doc = r.json;
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/api/events',
        '/api/events/{id}',
        '/api/export',
        '/api/export/{exportId}/manifest',
        '/api/health',
        '/api/integrity',
        '/api/proof/{id}',
        '/api/stats',
        '/api/stream',
        '/api/alerts/{id}/{action}',
        '/api/reports/gdpr',
        '/api/reports/period',
        '/api/retention',
      ].sort(),
    );
    const search = doc.paths['/api/events'].get;
    expect(search.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
      'cursor',
      'limit',
      'order',
      'q',
    ]);
    expect(doc.paths['/api/events'].post.requestBody).toBeDefined();
    expect(doc.components.schemas.AuditEvent.required).toEqual(
      expect.arrayContaining(['id', 'time', 'type', 'actor', 'source']),
    );
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});
