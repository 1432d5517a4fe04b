import { type RunningConsole, startConsole } from './helpers';

describe('HTTP hardening', () => {
  let c: RunningConsole;
  beforeAll(async () => {
    c = await startConsole({
      keys: { acme: { tenant: 'acme', scopes: ['read'] } },
      server: { rateLimit: { max: 30, timeWindowMs: 60_000 } },
    });
  });
  afterAll(() => c.close());

  it('sends security headers and no CORS headers unless configured', async () => {
    const r = await c.api('/api/health', { headers: { origin: 'https://evil.example' } });
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(r.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(r.headers.get('strict-transport-security')).toMatch(/max-age/);
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await c.api('/api/events', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('limits the request rate per client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) statuses.push((await c.api('/api/events', { key: c.keys.acme })).status);
    expect(statuses.slice(0, 25).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const r = await c.api('/api/nope');
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });
});

describe('CORS, when configured', () => {
  let c: RunningConsole;
  beforeAll(async () => {
    c = await startConsole({ server: { corsOrigins: ['https://console.example'] } });
  });
  afterAll(() => c.close());

  it('allows the listed origins only', async () => {
    const ok = await c.api('/api/health', { headers: { origin: 'https://console.example' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://console.example');
    const other = await c.api('/api/health', { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
