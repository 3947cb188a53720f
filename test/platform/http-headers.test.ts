import { call, createTestApp, type TestApp } from '../helpers/test-app.js';

const ALLOWED = 'https://portal.example';

describe('Security headers (helmet)', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  test.each([
    ['/health/live', null],
    ['/v1/communities', 'admin'],
    ['/v1/nothing', null],
  ])('GET %s carries the security headers', async (url, auth) => {
    const res = await call(t.app, auth ? t.adminKey : null, 'GET', url);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  test('error answers carry them too: 401 without a key, 400 for a bad query', async () => {
    for (const res of [await call(t.app, null, 'GET', '/v1/communities'), await call(t.app, t.adminKey, 'GET', '/v1/communities?limit=0')]) {
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-request-id']).toBeDefined();
    }
  });

  test('without CORS_ORIGINS no browser origin is allowed', async () => {
    const res = await call(t.app, null, 'GET', '/health/live', undefined, { origin: ALLOWED });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp({ CORS_ORIGINS: `${ALLOWED}, https://kiosk.example` }); });
  afterAll(async () => { await t.close(); });

  test('an allowed origin gets Access-Control-Allow-Origin and sees X-Request-Id', async () => {
    const res = await call(t.app, t.adminKey, 'GET', '/v1/communities', undefined, { origin: ALLOWED });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['access-control-expose-headers']).toContain('x-request-id');
    expect(res.headers.vary).toContain('Origin');
  });

  test('the second origin of the list is allowed too', async () => {
    const res = await call(t.app, null, 'GET', '/health/live', undefined, { origin: 'https://kiosk.example' });
    expect(res.headers['access-control-allow-origin']).toBe('https://kiosk.example');
  });

  test('another origin gets no Access-Control-Allow-Origin', async () => {
    const res = await call(t.app, t.adminKey, 'GET', '/v1/communities', undefined, { origin: 'https://evil.example' });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('a preflight from an allowed origin is answered without a key and allows Authorization', async () => {
    const res = await t.app.inject({
      method: 'OPTIONS', url: '/v1/communities',
      headers: { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['access-control-allow-methods']).toContain('POST');
    expect(String(res.headers['access-control-allow-headers'])).toContain('authorization');
  });

  test('a preflight from another origin gets no Access-Control-Allow-Origin', async () => {
    const res = await t.app.inject({ method: 'OPTIONS', url: '/v1/communities', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
